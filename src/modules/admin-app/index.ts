// The admin web app's shell: the built single-page app that staff use at /admin.
export { DEFAULT_ADMIN_DIR, loadAdminShell, type AdminShell } from './admin-shell.js';
