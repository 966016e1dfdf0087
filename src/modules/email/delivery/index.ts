export {
  MAX_LOCAL_PART_LENGTH,
  parseVerp,
  testEnvelope,
  verpAddress,
  type VerpIds,
  type VerpOptions,
  type VerpSecret,
} from './verp.js';
export {
  listUnsubscribeHeaders,
  signUnsubscribe,
  unsubscribeTokenFromSubject,
  verifyUnsubscribe,
  type ListUnsubscribeHeaders,
  type ListUnsubscribeOptions,
  type UnsubscribePayload,
  type UnsubscribeSecret,
} from './unsubscribe-token.js';
export {
  classifyDeliveryStatus,
  classifySmtpReply,
  parseDsn,
  type BounceKind,
  type DeliveryAction,
  type DsnRecipient,
  type DsnReport,
} from './dsn.js';
