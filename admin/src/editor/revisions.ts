/** Text blocks of a document, one per paragraph, heading, list item or quote line. */
export function documentLines(doc: unknown): string[] {
  const lines: string[] = [];
  const text = (node: unknown): string => {
    const n = node as { type?: string; text?: string; content?: unknown[] };
    if (n.type === 'text') return n.text ?? '';
    if (n.type === 'hardBreak') return ' ';
    if (n.type === 'footnoteReference') return '[*]';
    return (n.content ?? []).map(text).join('');
  };
  const walk = (node: unknown, prefix: string) => {
    const n = node as { type?: string; attrs?: Record<string, unknown>; content?: unknown[] };
    switch (n.type) {
      case 'paragraph':
        lines.push(prefix + text(n));
        return;
      case 'heading':
        lines.push(`${'#'.repeat(Number(n.attrs?.level ?? 2))} ${text(n)}`);
        return;
      case 'image':
        lines.push(`[image: ${String(n.attrs?.alt ?? n.attrs?.src ?? '')}]`);
        return;
      case 'horizontalRule':
        lines.push('---');
        return;
      case 'paywall':
        lines.push('[paywall]');
        return;
      case 'htmlCard':
        lines.push(`[html] ${String(n.attrs?.html ?? '')}`);
        return;
      case 'bookmark':
        lines.push(`[bookmark] ${String(n.attrs?.title ?? '')} ${String(n.attrs?.url ?? '')}`);
        return;
      case 'blockquote':
        for (const child of n.content ?? []) walk(child, `${prefix}> `);
        return;
      case 'codeBlock':
        lines.push(prefix + text(n));
        return;
      default:
        for (const child of n.content ?? []) walk(child, prefix);
    }
  };
  walk(doc, '');
  return lines.filter((l) => l.trim() !== '');
}

export type DiffLine = { kind: 'same' | 'added' | 'removed'; text: string };

/**
 * Line diff by longest common subsequence: what a revision had (removed) and what the current
 * text has instead (added). Posts have hundreds of blocks, so the quadratic table is small.
 */
export function diffLines(before: string[], after: string[]): DiffLine[] {
  const n = before.length;
  const m = after.length;
  const table = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i]![j] =
        before[i] === after[j]
          ? table[i + 1]![j + 1]! + 1
          : Math.max(table[i + 1]![j]!, table[i]![j + 1]!);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (before[i] === after[j]) {
      out.push({ kind: 'same', text: before[i]! });
      i++;
      j++;
    } else if (table[i + 1]![j]! >= table[i]![j + 1]!) {
      out.push({ kind: 'removed', text: before[i++]! });
    } else {
      out.push({ kind: 'added', text: after[j++]! });
    }
  }
  while (i < n) out.push({ kind: 'removed', text: before[i++]! });
  while (j < m) out.push({ kind: 'added', text: after[j++]! });
  return out;
}
