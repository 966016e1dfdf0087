// Newsletter delivery (in progress): rendering a post as an email, and the building blocks
// for bounces and unsubscribes. The send pipeline, transports and routes come next.
export * from './render/index.js';
export * from './delivery/index.js';
