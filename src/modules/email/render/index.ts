export {
  renderPostEmail,
  type EmailPost,
  type EmailSite,
  type PostEmailInput,
} from './email-render.js';
export {
  NAME_FALLBACK,
  personalize,
  PLACEHOLDERS,
  type FrozenEmail,
  type PersonalizedEmail,
  type Placeholder,
  type Recipient,
} from './email-personalize.js';
export { renderDocumentText, type TextRenderOptions } from './email-text.js';
