import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The admin is served by Pressroom under /admin/, from dist/admin beside the server build.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/admin/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/admin', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    // One file per route keeps the first load small; the editor comes when a post is opened.
    chunkSizeWarningLimit: 800,
  },
});
