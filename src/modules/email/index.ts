// Newsletter delivery: rendering a post as an email, bounces and unsubscribes (`delivery`,
// `feedback`), the transports (pooled SMTP with DKIM, Postmark's batch API), the transport
// settings staff keep in the admin (`settings`), and the send pipeline (`sends`).
export * from './render/index.js';
export * from './delivery/index.js';
export * from './transport/index.js';
export * from './settings/index.js';
