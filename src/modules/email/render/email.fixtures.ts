import type { DocMark, DocNode, PostDocument } from '../../posts/document/index.js';
import type { EmailPost, PostEmailInput } from './email-render.js';

/** Document builders for the tests, shaped as the editor stores posts. */
export const doc = (...content: DocNode[]): PostDocument => ({ type: 'doc', content });
export const p = (...content: DocNode[]): DocNode => ({ type: 'paragraph', content });
export const text = (value: string, ...marks: DocMark[]): DocNode =>
  marks.length > 0 ? { type: 'text', text: value, marks } : { type: 'text', text: value };
export const bold: DocMark = { type: 'bold' };
export const link = (href: string): DocMark => ({ type: 'link', attrs: { href } });
export const h = (level: number, value: string): DocNode => ({
  type: 'heading',
  attrs: { level },
  content: [text(value)],
});
export const quote = (...content: DocNode[]): DocNode => ({ type: 'blockquote', content });
export const ref = (id: string): DocNode => ({ type: 'footnoteReference', attrs: { id } });
export const footnotes = (...notes: [id: string, body: string][]): DocNode => ({
  type: 'footnotes',
  content: notes.map(([id, body]) => ({
    type: 'footnote',
    attrs: { id },
    content: [p(text(body))],
  })),
});
export const image = (src: string, alt: string): DocNode => ({
  type: 'image',
  attrs: { src, alt },
});
export const paywall: DocNode = { type: 'paywall' };

export const SECRET = 'SECRET-AFTER-THE-CUT';
export const SECRET_NOTE = 'SECRET-FOOTNOTE-AFTER-THE-CUT';

/**
 * An analyst's post as Pressroom publishes them: commentary around a long press-conference
 * transcript, with the passages that matter in bold and marked "[My Emphasis]".
 */
export const analystBody: PostDocument = doc(
  p(
    text('The Foreign Minister spent most of Thursday’s press conference on the grain corridor'),
    ref('source'),
    text('. I have reproduced the relevant exchange in full, because the summaries in the '),
    text('wire reports', link('/p/wire-reports-compared')),
    text(' left out the part that matters.'),
  ),
  image('/content/images/press-hall.jpg', 'The press hall at Smolenskaya Square'),
  h(2, 'The exchange'),
  quote(
    p(
      text(
        'Question: Minister, the Turkish side says the talks on resuming the corridor are at an ' +
          'advanced stage. Is Moscow ready to return to the arrangement on the previous terms, or ' +
          'will there be new conditions?',
      ),
    ),
    p(
      text(
        'Sergey Lavrov: We have said many times that we were prepared to consider returning to ' +
          'the deal. ',
      ),
      text(
        'But the part of the package that concerned our own exports was never implemented, ' +
          'not in a single paragraph',
        bold,
      ),
      text(
        ' [My Emphasis]. Our partners know this. The Secretary-General knows this. We are not ' +
          'going to pretend otherwise simply because it is convenient for someone to announce a ' +
          'breakthrough before an election.',
      ),
    ),
    p(text('Question: So there will be conditions?')),
    p(
      text('Sergey Lavrov: '),
      text('Reconnecting Rosselkhozbank to SWIFT is not a condition, it is a commitment', bold),
      text(
        ' [My Emphasis] that was made in Istanbul and signed by the UN. Fulfil it, and then we can talk.',
      ),
    ),
  ),
  p(text('Note how carefully the reply avoids the word “refuse”.')),
  paywall,
  p(text(`For paying subscribers: ${SECRET}, my reading of what comes next.`), ref('later')),
  footnotes(
    ['source', 'Transcript published by the ministry, 4 March 2026.'],
    ['later', SECRET_NOTE],
  ),
);

export const analystPost: EmailPost = {
  title: 'Lavrov on the grain corridor: read the transcript, not the summary',
  slug: 'lavrov-grain-corridor',
  excerpt: 'What the Foreign Minister actually said about resuming the corridor.',
  feature_image: '/content/images/feature.jpg',
  feature_image_alt: 'Grain terminal in Odesa',
  published_at: '2026-03-05T09:00:00.000Z',
  authors: [{ name: 'Anna Petrova' }],
  visibility: 'paid',
  tiers: [],
  body: analystBody,
};

export const site: PostEmailInput['site'] = {
  title: 'The Eastern Desk',
  accent_color: '#1a5fb4',
  logo: null,
  publicUrl: 'https://desk.example.com/',
};
