import { html } from '../../platform/http/html.js';
import { layout, type SiteView } from './layout.js';
import { homePath } from './urls.js';

function heading(status: number): string {
  if (status === 404) return 'Page not found';
  if (status >= 500) return 'Something went wrong';
  if (status === 403) return 'Not allowed';
  if (status === 429) return 'Too many requests';
  return 'That did not work';
}

/** An error page in the site's own look; the message is an AppError's, safe to show. */
export function errorPage(site: SiteView, status: number, message: string): string {
  const title = heading(status);
  const main = html`<section class="error-page">
    <p class="error-status">Error ${status}</p>
    <h1>${title}</h1>
    <p>${message}</p>
    <p>
      <a href="${homePath}">Go to the home page</a
      >${status === 404 ? html` or browse the <a href="/archive">archive</a>` : ''}.
    </p>
  </section>`;
  return layout(
    site,
    { title: `${title} – ${site.settings.title}`, description: title, path: null, noindex: true },
    main,
  );
}
