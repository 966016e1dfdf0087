export type * from './posts.types.js';
export { POST_STATUSES, PREVIEW_READERS, VISIBILITIES } from './posts.types.js';
export { PostsService, PUBLISH_JOB, type PostEmailHooks } from './posts.service.js';
export { createPostsApi } from './posts.routes.js';
export { postCreateSchema, postPatchSchema } from './posts.schema.js';
export { seedDemoContent } from './demo/demo-content.js';
export { anonymousCanRead, type CanRead } from './posts.access.js';
