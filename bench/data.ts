// `npm run bench -- data [--seconds S]`: how fast the scene composer feeds a trainer, on one
// core (the composer is synchronous JavaScript plus resvg, so one process uses one core).
// Prints a table, then one JSON line. Caches are warmed first, as they are after the first
// minute of training; the warm-up cost is reported separately.
import { SceneStream } from '../src/data/stream.ts';
import { composeScene } from '../src/data/compose.ts';
import { makeEditPair } from '../src/data/edits.ts';
import { ART_SET_IDS } from '../src/data/artsets.ts';
import { iconSprite } from '../src/data/sprites.ts';

interface Row {
  what: string;
  size: string;
  samples: number;
  seconds: number;
  perSecond: number;
}

function measure(what: string, size: number, seconds: number, make: (i: number) => void): Row {
  // Warm-up: fills the sprite and glyph caches for this size.
  const warmEnd = performance.now() + 400;
  let i = 1_000_000;
  while (performance.now() < warmEnd) make(i++);
  const start = performance.now();
  const end = start + seconds * 1000;
  let n = 0;
  while (performance.now() < end) make(n++);
  const s = (performance.now() - start) / 1000;
  return { what, size: `${size}x${size}`, samples: n, seconds: s, perSecond: n / s };
}

export async function run(args: string[]): Promise<void> {
  const at = args.indexOf('--seconds');
  const seconds = at >= 0 ? Number(args[at + 1]) : 1.5;
  if (!(seconds > 0)) throw new Error(`--seconds must be positive, got ${args[at + 1]}`);
  // Parse every art set once (the Noto JSON alone is 25 MB) so the timings below are steady state.
  const t0 = performance.now();
  for (const set of ART_SET_IDS) iconSprite(set, 'cat', 32, null);
  const firstSampleMs = performance.now() - t0;

  const rows: Row[] = [];
  for (const size of [128, 256]) {
    const stream = new SceneStream({ seed: 1, buckets: [{ width: size, height: size }], editFraction: 0.3 });
    rows.push(measure('stream (30% edits)', size, seconds, () => stream.next()));
    rows.push(measure('text-to-image only', size, seconds / 2, (i) => composeScene(i, { width: size, height: size })));
    rows.push(measure('edit pairs only', size, seconds / 2, (i) => makeEditPair(i, { width: size, height: size })));
  }

  console.log('what                  size      samples  seconds  samples/s');
  for (const r of rows) {
    console.log(`${r.what.padEnd(21)} ${r.size.padEnd(9)} ${String(r.samples).padStart(7)}  ${r.seconds.toFixed(2).padStart(7)}  ${r.perSecond.toFixed(0).padStart(9)}`);
  }
  console.log(`loading the four art sets (once per process): ${firstSampleMs.toFixed(0)} ms`);
  const stream = (size: number) => Math.round(rows.find((r) => r.what.startsWith('stream') && r.size === `${size}x${size}`)!.perSecond);
  const by = (what: string, size: number) => Math.round(rows.find((r) => r.what.startsWith(what) && r.size === `${size}x${size}`)!.perSecond);
  console.log(
    JSON.stringify({
      bench: 'data',
      cores: 1,
      samples_per_second: { '128x128': stream(128), '256x256': stream(256) },
      t2i_per_second: { '128x128': by('text-to-image', 128), '256x256': by('text-to-image', 256) },
      edits_per_second: { '128x128': by('edit', 128), '256x256': by('edit', 256) },
      art_set_load_ms: Math.round(firstSampleMs),
    }),
  );
}
