export { createMailer } from './mailer.js';
export type { Mailer, MailerConfig, OutgoingMessage, SentMessage } from './mailer.js';
