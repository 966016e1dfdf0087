import { NodeViewWrapper, type NodeViewProps } from '@tiptap/react';

/** An HTML card edits its source in place; the site sanitizes it when the post is rendered. */
export function HtmlCardView({ node, updateAttributes, selected }: NodeViewProps) {
  return (
    <NodeViewWrapper className={`pr-html-card${selected ? ' is-selected' : ''}`} data-drag-handle>
      <label>
        <span className="pr-card-label">HTML</span>
        <textarea
          value={String(node.attrs.html ?? '')}
          spellCheck={false}
          rows={4}
          onChange={(e) => updateAttributes({ html: e.target.value })}
          // Keys typed here belong to the textarea, not to the document around it.
          onKeyDown={(e) => e.stopPropagation()}
        />
      </label>
    </NodeViewWrapper>
  );
}
