import type { Editor } from '@tiptap/core';
import type { Node as PMNode } from '@tiptap/pm/model';

const newId = () => Math.random().toString(36).slice(2, 10);

/**
 * Inserts a footnote marker at the cursor and its note in the footnotes section at the end
 * (made on first use), then puts the cursor in the note.
 */
export function insertFootnote(editor: Editor): void {
  const id = newId();
  const { state } = editor;
  const note = { type: 'footnote', attrs: { id }, content: [{ type: 'paragraph' }] };
  let footnotesPos: number | undefined;
  let footnotesNode: PMNode | undefined;
  state.doc.forEach((node, offset) => {
    if (node.type.name === 'footnotes') {
      footnotesPos = offset;
      footnotesNode = node;
    }
  });
  const chain = editor.chain().focus().insertContent({ type: 'footnoteReference', attrs: { id } });
  chain
    .command(({ tr }) => {
      const end = tr.doc.content.size;
      if (footnotesPos === undefined || !footnotesNode) {
        tr.insert(end, state.schema.nodeFromJSON({ type: 'footnotes', content: [note] }));
      } else {
        // The reference just inserted shifted everything after the cursor by one.
        const mapped = tr.mapping.map(footnotesPos);
        tr.insert(mapped + footnotesNode.nodeSize - 1, state.schema.nodeFromJSON(note));
      }
      return true;
    })
    .run();
  // The new note is the last footnote: its paragraph ends two positions before the doc's end.
  const size = editor.state.doc.content.size;
  editor.commands.setTextSelection(size - 3);
  editor.commands.scrollIntoView();
}

export function insertPaywall(editor: Editor): void {
  editor.chain().focus().insertContent({ type: 'paywall' }).run();
}

export function insertHtmlCard(editor: Editor): void {
  editor
    .chain()
    .focus()
    .insertContent({ type: 'htmlCard', attrs: { html: '' } })
    .run();
}

/** Absolute http(s) only, as the server requires of a bookmark's address. */
export function isHttpUrl(value: string): boolean {
  if (!/^https?:\/\/\S+$/i.test(value)) return false;
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

/** Inserts a bookmark card for `url`; the writer fills in its title and the rest on the card. */
export function insertBookmark(editor: Editor, url: string): void {
  editor
    .chain()
    .focus()
    .insertContent({
      type: 'bookmark',
      attrs: { url, title: null, description: null, image: null },
    })
    .run();
}

export function insertImage(editor: Editor, image: { src: string; alt: string }): void {
  editor.chain().focus().setImage({ src: image.src, alt: image.alt }).run();
}

// As the server counts (posts/document/document-text.ts): runs holding a letter or digit,
// and each Chinese or Japanese character as a word.
const UNSPACED_CHAR = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/gu;
const HAS_WORD_CHAR = /[\p{L}\p{N}]/u;

export function countWords(text: string): number {
  let count = 0;
  for (const token of text.replace(UNSPACED_CHAR, ' x ').split(/\s+/)) {
    if (HAS_WORD_CHAR.test(token)) count++;
  }
  return count;
}

export const readingMinutes = (words: number, wordsPerMinute: number) =>
  Math.max(1, Math.round(words / wordsPerMinute));
