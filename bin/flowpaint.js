#!/usr/bin/env node
// Entry point installed as the package's `bin`. The CLI is TypeScript; tsx loads it
// without a build step, so `npm ci` is all the set-up a user needs.
import { register } from 'tsx/esm/api';
import { preloadFor } from './preload.js';

// Packages first, TypeScript loader second: see preload.js.
const packages = preloadFor(process.argv.slice(2));
await Promise.all(packages.map((specifier) => import(specifier)));
const sourceMaps = process.sourceMapsEnabled;
register();
// tsx turns Node's source maps on so that stack traces name TypeScript lines, and Node then
// decodes and parses the inline source map of every module it loads: ~45 ms of CPU for the ~80
// modules of a generate (BENCHMARKS.md, "Cold start"). The commands that preload (generate and
// edit: one image, then exit) print error messages, never stacks, so they keep Node's own setting
// (on with --enable-source-maps); the long-running commands keep tsx's.
if (packages.length > 0) process.setSourceMapsEnabled(sourceMaps);
const { main } = await import('../src/cli/main.ts');
await main(process.argv);
