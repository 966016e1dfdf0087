import type { ReaderLevel } from '../../members/access.js';
import { personalize, renderPostEmail } from '../render/index.js';
import { subjectOf, type SendsServiceDeps } from './sends.service.js';

export type PreviewDeps = Pick<SendsServiceDeps, 'posts' | 'settings'> & {
  config: { publicUrl: string };
};

/**
 * Gmail shows an email's first 102 KB of HTML and hides the rest behind "View entire
 * message", unsubscribe link included. A pasted transcript can cross it; the preview says so.
 */
export const GMAIL_CLIP_BYTES = 102 * 1024;

/** Who the preview is for: a free member gets the paywall's preview of a paid post. */
export type PreviewReader = 'free' | 'paid';

/**
 * A post's email as one reader would get it, before anything is sent: the same rendering a
 * send freezes, personalized with a sample name. Needs no transport.
 */
export async function previewEmail(
  deps: PreviewDeps,
  input: { postId: string; reader: PreviewReader },
): Promise<{
  subject: string;
  html: string;
  text: string;
  /** The HTML's size in bytes, and whether Gmail will clip it. */
  html_bytes: number;
  gmail_clips: boolean;
}> {
  const site = deps.config.publicUrl.trim().replace(/\/+$/, '');
  const [post, settings] = await Promise.all([deps.posts.get(input.postId), deps.settings.get()]);
  const level: ReaderLevel = input.reader === 'paid' ? 'paid' : 'member';
  const frozen = renderPostEmail({
    post,
    site: {
      title: settings.title,
      accent_color: settings.accent_color,
      logo: settings.logo,
      locale: settings.locale,
      publicUrl: site,
    },
    reader: level,
  });
  const content = personalize(frozen, {
    name: 'Alex',
    unsubscribeUrl: `${site}/unsubscribe`,
    manageUrl: `${site}/account`,
  });
  const bytes = Buffer.byteLength(content.html, 'utf8');
  return {
    subject: subjectOf(post),
    html: content.html,
    text: content.text,
    html_bytes: bytes,
    gmail_clips: bytes > GMAIL_CLIP_BYTES,
  };
}
