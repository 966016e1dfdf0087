export { TagsService, tagInputSchema, tagPatchSchema, tagSlugSchema } from './tags.service.js';
export type { Tag } from './tags.service.js';
export { createTagsApi } from './tags.routes.js';
