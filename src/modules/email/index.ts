// Newsletter delivery (in progress): rendering a post as an email, and the building blocks
// for bounces and unsubscribes, and the transports (pooled SMTP with DKIM, Postmark's batch
// API). The send pipeline and routes come next.
export * from './render/index.js';
export * from './delivery/index.js';
export * from './transport/index.js';
