#!/usr/bin/env node
// Entry point installed as the package's `bin`. The CLI is TypeScript; tsx loads it
// without a build step, so `npm ci` is all the set-up a user needs.
import { register } from 'tsx/esm/api';
import { preloadFor } from './preload.js';

// Packages first, TypeScript loader second: see preload.js.
await Promise.all(preloadFor(process.argv.slice(2)).map((specifier) => import(specifier)));
register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv);
