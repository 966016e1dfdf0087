// Uploaded images: checked, resized to web sizes with sharp, stored under the data folder.
export { IMAGE_WIDTHS, MediaService, type StoredImage } from './media.service.js';
export { createMediaApi, createMediaRoutes } from './media.routes.js';
