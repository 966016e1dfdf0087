export {
  fixedTransport,
  TransportError,
  type EmailTransport,
  type OutgoingBulkMessage,
  type SendResult,
  type TransportFailure,
  type TransportSource,
} from './transport.js';
export {
  classifySmtpError,
  createSmtpTransport,
  DKIM_SIGNED_HEADERS,
  transportFailureOf,
  type DkimSigning,
  type SmtpConnection,
  type SmtpTransportOptions,
} from './smtp-transport.js';
export {
  classifyPostmarkReply,
  createPostmarkTransport,
  POSTMARK_MAX_BATCH,
  type PostmarkBatchReply,
  type PostmarkTransportOptions,
} from './postmark-transport.js';
