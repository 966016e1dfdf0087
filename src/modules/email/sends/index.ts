// Newsletter sends: snapshot the recipients, freeze the email, deliver it in durable batch
// jobs that survive a crash at any instant. See CONTEXT.md for the words.
export {
  createSendSchema,
  registerEmailSendJobs,
  SendsService,
  SEND_BATCH_JOB,
  SEND_POST_JOB,
  SEND_STATUSES,
  START_SEND_JOB,
  type CreateSendInput,
  type EmailPostSource,
  type EmailPostsPort,
  type SendsConfig,
  type SendsServiceDeps,
  type SendPage,
  type SendStatus,
  type SendSummary,
} from './sends.service.js';
export { buildProgress, type SendCounters, type SendProgress } from './sends.progress.js';
export { parseSegment, type Segment } from './sends.segment.js';
export { NullTransport } from './null-transport.js';
export { createSendsApi, type SendsApiDeps } from './sends.routes.js';
export { sendTestEmail, TEST_RECIPIENT_NAME, type TestEmailDeps } from './test-email.js';
export { previewEmail, type PreviewDeps, type PreviewReader } from './email-preview.js';
