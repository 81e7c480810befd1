// The packages a command will import, loaded by bin/flowpaint.js before tsx is registered.
//
// Once tsx is registered, Node sends every module it loads, the packages' plain JavaScript
// included, through tsx's resolve and load hooks on the loader thread: two round trips per
// module, and the main thread blocks on the resolve one. `generate` loaded ~150 package modules
// that way (zod alone is 95 files, the C2PA stack with uuid, cbor-x and typed-binary ~40, sharp
// 14), and that cost more CPU than importing them: zod took ~0.4 s of CPU through the hooks
// against ~0.15 s without, on the 2-core VM under load (BENCHMARKS.md, "Cold start"). Imported
// before register(), the packages load without the hooks, and when the TypeScript imports them
// later Node finds them in its module map: one resolve per import statement, no load.
//
// A head start only: a package missing here still loads (through the hooks), and a command not
// listed preloads nothing, so `flowpaint --help` pays for none of this.
//
// Plain JavaScript, because it runs before there is a TypeScript loader.

/** What `generate` imports: the pipeline, its checks, and the C2PA manifest of every image. */
const GENERATE = [
  'zod',
  'onnxruntime-node',
  'commander',
  'cli-progress',
  '@peculiar/x509',
  '@trustnxt/c2pa-ts/asset',
  '@trustnxt/c2pa-ts/cose',
  '@trustnxt/c2pa-ts/jumbf',
  '@trustnxt/c2pa-ts/manifest',
];

/** Command name -> package specifiers to import before the loader. */
export const PRELOAD = {
  generate: GENERATE,
  // An edit decodes its input with sharp; a generate needs sharp only for JPEG, WebP or sizes
  // above the model's own, and then imports it itself.
  edit: [...GENERATE, 'sharp'],
};

/**
 * The packages to preload for a command line (the arguments after `flowpaint`): those of the
 * command it runs; none for `--help`, `--version`, `help …` or an unknown command.
 */
export function preloadFor(args) {
  const command = args.find((a) => !a.startsWith('-'));
  return Object.hasOwn(PRELOAD, command ?? '') ? PRELOAD[command] : [];
}
