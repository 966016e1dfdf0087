#!/usr/bin/env node
// The compiled CLI lives in dist/ (built by `npm install` via `prepare`, or `npm run build`).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/main.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('pressroom: not built yet. Run `npm run build` (or `npm install`) first.');
  process.exit(1);
}
await import(entry.href);
