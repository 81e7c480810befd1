// sharp (libvips), imported on first use rather than with the modules that use it: importing it
// costs ~0.3 s of CPU (libvips, and the semver modules of its version check), and a `generate`
// that writes a PNG at the model's own size never needs it (image/png.ts, BENCHMARKS.md "Cold
// start").
export async function loadSharp() {
  return (await import('sharp')).default;
}
