export type { BaseEnv, BaseVariables } from './env.js';
export { requestContext, requestIdFrom } from './request-context.js';
export { errorHandler, wantsJson, type HtmlErrorRenderer } from './errors.js';
export { limitBody, parseWith, readJson, readQuery, validationError } from './body.js';
export { csrfProtection, csrfToken, CSRF_FIELD, CSRF_HEADER } from './csrf.js';
export { html, raw, escapeHtml, SafeHtml, type HtmlValue } from './html.js';
