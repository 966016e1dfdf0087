import type { Editor } from '@tiptap/core';
import { useEditorState } from '@tiptap/react';
import {
  insertBookmark,
  insertFootnote,
  insertHtmlCard,
  insertPaywall,
  isHttpUrl,
} from './commands.js';

interface Props {
  editor: Editor;
  onImage: () => void;
}

/** Formatting buttons; each says whether it is on, for screen readers too (aria-pressed). */
export function Toolbar({ editor, onImage }: Props) {
  // Re-renders only when one of these flags changes, not on every keystroke.
  const active = useEditorState({
    editor,
    selector: ({ editor: e }) => ({
      bold: e.isActive('bold'),
      italic: e.isActive('italic'),
      strike: e.isActive('strike'),
      code: e.isActive('code'),
      link: e.isActive('link'),
      h2: e.isActive('heading', { level: 2 }),
      h3: e.isActive('heading', { level: 3 }),
      quote: e.isActive('blockquote'),
      bullets: e.isActive('bulletList'),
      numbers: e.isActive('orderedList'),
    }),
  });
  // A label holds the button's visible text too (as "Heading H2"), so that someone who
  // speaks to their computer can say what they see.
  const button = (label: string, on: boolean | undefined, run: () => void, text: string) => (
    <button
      type="button"
      aria-label={label}
      title={label}
      aria-pressed={on === undefined ? undefined : on}
      onMouseDown={(e) => e.preventDefault()}
      onClick={run}
    >
      {text}
    </button>
  );
  const chain = () => editor.chain().focus();
  const setLink = () => {
    const previous = editor.getAttributes('link').href as string | undefined;
    const href = window.prompt('Link address', previous ?? 'https://');
    if (href === null) return;
    if (href.trim() === '') chain().extendMarkRange('link').unsetLink().run();
    else chain().extendMarkRange('link').setLink({ href: href.trim() }).run();
  };
  const addBookmark = () => {
    let url = window.prompt('Address of the page to bookmark', 'https://');
    while (url !== null && !isHttpUrl(url.trim())) {
      url = window.prompt(
        'A bookmark needs a full address starting with http:// or https://',
        url.trim(),
      );
    }
    if (url !== null) insertBookmark(editor, url.trim());
  };
  return (
    <div className="pr-toolbar" role="toolbar" aria-label="Formatting">
      {button('Bold', active.bold, () => chain().toggleBold().run(), 'B')}
      {button('Italic', active.italic, () => chain().toggleItalic().run(), 'I')}
      {button('Strikethrough', active.strike, () => chain().toggleStrike().run(), 'S')}
      {button('Code', active.code, () => chain().toggleCode().run(), '</>')}
      {button('Link', active.link, setLink, 'Link')}
      <span className="pr-toolbar-gap" />
      {button('Heading H2', active.h2, () => chain().toggleHeading({ level: 2 }).run(), 'H2')}
      {button('Subheading H3', active.h3, () => chain().toggleHeading({ level: 3 }).run(), 'H3')}
      {button('Quote', active.quote, () => chain().toggleBlockquote().run(), '“ ”')}
      {button('Bulleted list', active.bullets, () => chain().toggleBulletList().run(), '•')}
      {button('Numbered list 1.', active.numbers, () => chain().toggleOrderedList().run(), '1.')}
      {button('Divider', undefined, () => chain().setHorizontalRule().run(), '—')}
      <span className="pr-toolbar-gap" />
      {button('Image', undefined, onImage, 'Image')}
      {button('Footnote', undefined, () => insertFootnote(editor), 'Footnote')}
      {button('Bookmark card', undefined, addBookmark, 'Bookmark')}
      {button('HTML card', undefined, () => insertHtmlCard(editor), 'HTML')}
      {button('Paywall: free preview ends here', undefined, () => insertPaywall(editor), 'Paywall')}
    </div>
  );
}
