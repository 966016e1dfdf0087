import { AppError, conflict } from '../../../platform/errors.js';
import { testEnvelope } from '../delivery/index.js';
import { personalize, renderPostEmail } from '../render/index.js';
import { TransportError, type TransportSource } from '../transport/index.js';
import { NO_TRANSPORT, subjectOf, type SendsServiceDeps } from './sends.service.js';

/** What a test email needs: the send's own post source, settings, transport and config. */
export type TestEmailDeps = Pick<SendsServiceDeps, 'posts' | 'settings' | 'config'> & {
  transports: TransportSource;
};

/** The name a test email greets, where a member's name would go. */
export const TEST_RECIPIENT_NAME = 'Reader';

/**
 * One copy of a post to any address, through the newsletter transport, so staff see what
 * subscribers will: rendered for a paid reader of every tier (the whole post), personalized
 * with a placeholder name. No member stands behind it, so the unsubscribe link only leads to
 * the site and there are no List-Unsubscribe headers to act on.
 */
export async function sendTestEmail(
  deps: TestEmailDeps,
  input: { postId: string; to: string },
): Promise<void> {
  const { config } = deps;
  const transport = await deps.transports.current();
  if (!transport) throw conflict(NO_TRANSPORT);
  const site = config.publicUrl.trim().replace(/\/+$/, '');
  const [post, settings] = await Promise.all([deps.posts.get(input.postId), deps.settings.get()]);
  const frozen = renderPostEmail({
    post,
    site: {
      title: settings.title,
      accent_color: settings.accent_color,
      logo: settings.logo,
      locale: settings.locale,
      publicUrl: site,
    },
    reader: 'paid',
  });
  const content = personalize(frozen, {
    name: TEST_RECIPIENT_NAME,
    unsubscribeUrl: `${site}/unsubscribe`,
    manageUrl: `${site}/account`,
  });
  const [result] = await transport
    .send([
      {
        to: input.to,
        from: config.from,
        subject: `[Test] ${subjectOf(post)}`,
        html: content.html,
        text: content.text,
        headers: {},
        ...testEnvelope({
          bounceDomain: config.bounceDomain,
          secret: config.secret,
          host: new URL(site).hostname,
        }),
      },
    ])
    .catch((error: unknown) => {
      // The relay or API itself failed (credentials, unreachable): not the caller's input.
      if (!(error instanceof TransportError)) throw error;
      throw new AppError('transport_failed', `The newsletter transport failed: ${error.message}`, {
        status: 502,
        cause: error,
      });
    });
  if (result && !result.ok) {
    throw conflict(`The test email was not accepted: ${result.message}`, 'to');
  }
}
