import { EditorContent, useEditor } from '@tiptap/react';
import type { Editor, EditorOptions } from '@tiptap/core';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, get, OfflineError, patch, post, type Post } from '../api.js';
import {
  clearLocalCopy,
  readLocalCopy,
  useAutosave,
  useOtherTabWarning,
  type Draft,
} from '../editor/autosave.js';
import { countWords, insertImage, readingMinutes } from '../editor/commands.js';
import { editorExtensions } from '../editor/extensions.js';
import { Toolbar } from '../editor/Toolbar.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';
import { PublishDialog } from './PublishDialog.js';
import { PostSettings } from './PostSettings.js';
import { RevisionsPanel } from './RevisionsPanel.js';
import './EditorPage.css';

type EditorProps = EditorOptions['editorProps'];

const WORDS_PER_MINUTE = 238;
const emptyDoc = { type: 'doc', content: [{ type: 'paragraph' }] };

/** `postId` is 'new' for a post not saved yet: the first save creates it. */
export default function EditorPage({ postId }: { postId: string }) {
  const [loaded, setLoaded] = useState<{ post: Post | undefined; restored: boolean } | undefined>();
  const [loadError, setLoadError] = useState<string | undefined>();

  useEffect(() => {
    const local = readLocalCopy(postId);
    if (postId === 'new') {
      setLoaded({ post: undefined, restored: local !== undefined });
      return;
    }
    get<{ post: Post }>(`/posts/${postId}`)
      .then(({ post: p }) => setLoaded({ post: p, restored: local !== undefined }))
      .catch((e: unknown) => {
        // Offline with a copy in this browser: edit that, and save when the server is back.
        if (e instanceof OfflineError && local) setLoaded({ post: undefined, restored: true });
        else setLoadError(e instanceof Error ? e.message : String(e));
      });
  }, [postId]);

  if (loadError) {
    return (
      <p className="pr-error" role="alert">
        {loadError} <Link to="/posts">Back to posts</Link>
      </p>
    );
  }
  if (!loaded) return <p className="pr-loading">Loading…</p>;
  return <PostEditor initialId={postId} post={loaded.post} restored={loaded.restored} />;
}

function PostEditor(props: { initialId: string; post: Post | undefined; restored: boolean }) {
  const [current, setCurrent] = useState<Post | undefined>(props.post);
  const id = useRef<string>(props.initialId);
  const local = useMemo(
    () => (props.restored ? readLocalCopy(props.initialId) : undefined),
    [props],
  );
  const [title, setTitle] = useState(local?.title ?? props.post?.title ?? '');
  const titleRef = useRef(title);
  const [words, setWords] = useState(props.post ? props.post.word_count : 0);
  const [notice, setNotice] = useState<string | undefined>(
    local ? 'Unsaved changes from this browser were restored.' : undefined,
  );
  const [panel, setPanel] = useState<'none' | 'settings' | 'publish' | 'revisions'>('none');
  const otherTab = useOtherTabWarning(props.initialId);
  const fileInput = useRef<HTMLInputElement>(null);

  const autosave = useAutosave({
    postId: props.initialId,
    base: props.post?.updated_at ?? null,
    save: async (draft: Draft) => {
      const body = { title: draft.title.trim() || 'Untitled', body: draft.body };
      if (id.current === 'new') {
        const created = await post<{ post: Post }>('/posts', body);
        id.current = created.post.id;
        clearLocalCopy('new');
        // The address becomes the post's, without remounting the editor.
        window.history.replaceState(null, '', `/admin/posts/${created.post.id}`);
        setCurrent(created.post);
        return created.post;
      }
      const saved = await patch<{ post: Post }>(`/posts/${id.current}`, body);
      setCurrent(saved.post);
      return saved.post;
    },
  });

  // Signed back in (the dialog over the page): the save that was refused goes through now.
  const { expired } = useSession();
  useEffect(() => {
    if (!expired && autosave.state.kind === 'signed-out') void autosave.flush();
  }, [expired]);

  /**
   * Saves first, so the preview shows what is on screen. The tab is opened at once, while
   * the click still counts as the writer's (popup blockers), and pointed at the preview
   * once the save is done.
   */
  const openPreview = () => {
    const tab = window.open('', '_blank');
    void autosave.flush().then(() => {
      const url = `/api/admin/posts/${id.current}/preview`;
      if (tab) tab.location.href = url;
      else window.location.assign(url);
    });
  };

  const editorRef = useRef<Editor | null>(null);
  const wordTimer = useRef<number | undefined>(undefined);
  const onChange = () => {
    const editor = editorRef.current;
    if (!editor) return;
    // Made when autosave copies it, not per key: getJSON of 5,000 words is not free.
    autosave.change(() => ({ title: titleRef.current, body: editor.getJSON() }));
    // Counting 5,000 words is cheap but not free: not on every keystroke.
    window.clearTimeout(wordTimer.current);
    wordTimer.current = window.setTimeout(() => {
      setWords(
        countWords(editor.state.doc.textBetween(0, editor.state.doc.content.size, ' ', ' ')),
      );
    }, 400);
  };

  const upload = async (file: File) => {
    if (!file.type.startsWith('image/')) {
      setNotice(`${file.name} is not an image.`);
      return;
    }
    const alt = window.prompt('Describe the image for readers who cannot see it (alt text)', '');
    const form = new FormData();
    form.append('file', file);
    try {
      const { image } = await post<{ image: { url: string } }>('/images', form);
      if (editorRef.current) insertImage(editorRef.current, { src: image.url, alt: alt ?? '' });
    } catch (e) {
      setNotice(e instanceof ApiError ? e.message : 'The image could not be uploaded.');
    }
  };
  const uploadRef = useRef(upload);
  uploadRef.current = upload;

  // useEditor hands options that differ from the last render's to ProseMirror, which then
  // updates its whole view with them: kept the same, a re-render of this page (the word
  // count, the save state) mid-typing leaves the editor alone.
  const extensions = useMemo(() => editorExtensions(), []);
  const editorProps = useMemo(
    (): EditorProps => ({
      attributes: {
        class: 'pr-prose',
        'aria-label': 'Post body',
        role: 'textbox',
        'aria-multiline': 'true',
      },
      handleDrop: (_view, event) => {
        const files = [...(event.dataTransfer?.files ?? [])].filter((f) =>
          f.type.startsWith('image/'),
        );
        if (files.length === 0) return false;
        event.preventDefault();
        for (const f of files) void uploadRef.current(f);
        return true;
      },
      handlePaste: (_view, event) => {
        const files = [...(event.clipboardData?.files ?? [])].filter((f) =>
          f.type.startsWith('image/'),
        );
        if (files.length === 0) return false;
        for (const f of files) void uploadRef.current(f);
        return true;
      },
      // Word and Google Docs wrap what they copy in markup of their own; drop what the
      // document model has no use for before ProseMirror parses the rest.
      transformPastedHTML: cleanPastedHtml,
    }),
    [],
  );
  const editor = useEditor({
    extensions,
    content: (local?.body ?? props.post?.body ?? emptyDoc) as object,
    immediatelyRender: true,
    shouldRerenderOnTransaction: false,
    editorProps,
    onUpdate: onChange,
  });
  editorRef.current = editor;
  // Stable, so the revisions panel computes its diff once per chosen version.
  const currentDraft = useCallback(
    () => ({ title: titleRef.current, body: editorRef.current?.getJSON() }),
    [],
  );

  useEffect(() => {
    if (local) autosave.change({ title: local.title, body: local.body });
    // Only once, for the restored copy.
  }, []);

  const state = autosave.state;
  const status =
    state.kind === 'saved'
      ? 'Saved'
      : state.kind === 'saving'
        ? 'Saving…'
        : state.kind === 'unsaved'
          ? 'Unsaved changes'
          : state.kind === 'offline'
            ? 'Offline: your changes are kept in this browser'
            : state.kind === 'signed-out'
              ? 'Signed out: sign in to save'
              : `Not saved: ${state.message}`;

  return (
    <div className="pr-editor-page">
      <header className="pr-editor-bar">
        <Link to="/posts">← Posts</Link>
        <span className="pr-save-state" role="status" data-state={state.kind}>
          {status}
        </span>
        {current && (
          <span className={`pr-status pr-status-${current.status}`}>{current.status}</span>
        )}
        <span className="pr-spacer" />
        <button
          type="button"
          disabled={!current}
          onClick={() => {
            void autosave
              .flush()
              .then(() => setPanel(panel === 'revisions' ? 'none' : 'revisions'));
          }}
          aria-expanded={panel === 'revisions'}
        >
          Revisions
        </button>
        <button
          type="button"
          disabled={!current}
          onClick={openPreview}
          title="Opens the post as readers will see it, in a new tab"
        >
          Preview
        </button>
        <button
          type="button"
          onClick={() => setPanel(panel === 'settings' ? 'none' : 'settings')}
          aria-expanded={panel === 'settings'}
        >
          Settings
        </button>
        <button
          type="button"
          className="pr-primary"
          disabled={!current}
          onClick={() => {
            void autosave.flush().then(() => setPanel('publish'));
          }}
        >
          {current?.status === 'published' ? 'Update' : 'Publish'}
        </button>
      </header>
      {otherTab && (
        <p className="pr-warning" role="alert">
          This post is open in another tab. Edit it in one place, or one tab&apos;s changes will
          overwrite the other&apos;s.
        </p>
      )}
      {notice && (
        <p className="pr-notice" role="status">
          {notice}{' '}
          <button type="button" className="pr-link-button" onClick={() => setNotice(undefined)}>
            Dismiss
          </button>
        </p>
      )}
      <div className="pr-editor-columns">
        <article className="pr-editor">
          {/* The screen's name for those who move by headings; the title field says the rest. */}
          <h1 className="pr-visually-hidden">Edit post</h1>
          <textarea
            className="pr-title"
            aria-label="Title"
            placeholder="Post title"
            rows={1}
            value={title}
            onChange={(e) => {
              setTitle(e.target.value);
              titleRef.current = e.target.value;
              onChange();
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                editor.commands.focus('start');
              }
            }}
          />
          <Toolbar editor={editor} onImage={() => fileInput.current?.click()} />
          <input
            ref={fileInput}
            type="file"
            accept="image/*"
            hidden
            aria-label="Upload an image"
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) void upload(f);
              e.target.value = '';
            }}
          />
          <EditorContent editor={editor} />
          <footer className="pr-editor-foot">
            {words.toLocaleString()} words · {readingMinutes(words, WORDS_PER_MINUTE)} min read
          </footer>
        </article>
        {panel === 'revisions' && current && (
          <RevisionsPanel
            postId={current.id}
            current={currentDraft}
            onRestore={(revision) => {
              // Restoring is an edit like any other: it autosaves, and is undoable.
              setTitle(revision.title);
              titleRef.current = revision.title;
              editor.commands.setContent(revision.body as object, { emitUpdate: true });
              setNotice('The earlier version was restored.');
              setPanel('none');
            }}
            onClose={() => setPanel('none')}
          />
        )}
        {panel === 'settings' && current && (
          <PostSettings post={current} onSaved={setCurrent} onClose={() => setPanel('none')} />
        )}
      </div>
      {panel === 'publish' && current && (
        <PublishDialog
          post={current}
          onDone={(p) => {
            setCurrent(p);
            setPanel('none');
          }}
          onClose={() => setPanel('none')}
        />
      )}
    </div>
  );
}

/** Strips Office and Docs wrappers that carry no content: comments, o:p, style blocks. */
export function cleanPastedHtml(html: string): string {
  return html
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<style[\s\S]*?<\/style>/gi, '')
    .replace(/<\/?o:p[^>]*>/gi, '')
    .replace(/<b [^>]*id="docs-internal-guid[^"]*"[^>]*>([\s\S]*)<\/b>/i, '$1');
}
