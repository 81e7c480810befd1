// `npm run bench -- class-probe [--model DIR] [--guidance G] [--intervals lo-hi,...] [--seeds 1,2,3] [--threads N]`
// Does the model draw a recognisable object? For every class the compose judge names, "a CLASS on
// a COLOUR background" (no place word, so the object belongs in the centre cell), one image per
// seed; the scorer reads the centre cell: is there an object (drawn), and is it that class (class).
// Narrower than `eval compose` and about as cheap per image, with more images per figure: the
// quick check of an A/B arm's class identity. One row per guidance interval, with the classes
// found and how often (which shapes a model has learned).
import { Scorer } from '../src/eval/scorer/scorer.ts';
import { SCORER_CLASSES } from '../src/eval/scorer/labels.ts';
import { loadPipeline } from '../src/pipeline/index.ts';
import { option } from './lib/util.ts';

const BACKGROUNDS = ['white', 'blue', 'yellow', 'black'];
/** The centre cell of the scorer's 3 × 3 reading. */
const CENTRE = 4;

export async function run(args: string[]): Promise<void> {
  const modelDir = option(args, '--model') ?? 'models/default';
  const guidance = option(args, '--guidance') === undefined ? undefined : Number(option(args, '--guidance'));
  const seeds = (option(args, '--seeds') ?? '1,2,3').split(',').map(Number);
  const intervals = (option(args, '--intervals') ?? '0-1').split(',').map((iv) => iv.split('-').map(Number) as [number, number]);
  const threads = option(args, '--threads') === undefined ? undefined : Number(option(args, '--threads'));
  const pipe = await loadPipeline({ modelDir, threads });
  const scorer = await Scorer.load();
  const rows = [];
  try {
    console.log(`class probe — ${pipe.info.id} ${pipe.info.version}, ${SCORER_CLASSES.length} classes × ${seeds.length} seeds, guidance ${guidance ?? pipe.defaultGuidance}`);
    console.log('interval      images  drawn  class  seconds');
    for (const interval of intervals) {
      let drawn = 0;
      let found = 0;
      let images = 0;
      const foundByClass = new Map<string, number>();
      const t0 = performance.now();
      for (const seed of seeds) {
        const batch = [];
        for (const [i, cls] of SCORER_CLASSES.entries()) {
          const prompt = `a ${cls} on a ${BACKGROUNDS[(i + seed) % BACKGROUNDS.length]} background`;
          const [out] = await pipe.generate({ prompt, width: 128, height: 128, n: 1, seed, guidance, guidanceInterval: interval });
          batch.push(out!.image);
        }
        const cells = await scorer.predict(batch);
        for (const [i, cls] of SCORER_CLASSES.entries()) {
          const centre = cells[i]![CENTRE]!;
          images++;
          if (centre.isObject) drawn++;
          if (centre.kind === cls) {
            found++;
            foundByClass.set(cls, (foundByClass.get(cls) ?? 0) + 1);
          }
        }
      }
      const seconds = (performance.now() - t0) / 1000;
      const byClass = Object.fromEntries([...foundByClass].sort((a, b) => b[1] - a[1]));
      const row = { interval, images, drawn: drawn / images, class: found / images, seconds: Math.round(seconds), foundByClass: byClass };
      rows.push(row);
      console.log(`[${interval.join(', ')}]`.padEnd(14) + `${images}`.padStart(6) + `${row.drawn.toFixed(3)}`.padStart(7) + `${row.class.toFixed(3)}`.padStart(7) + `${row.seconds}`.padStart(9));
      console.log(`  found (of ${seeds.length}): ${Object.entries(byClass).map(([c, k]) => `${c} ${k}`).join(', ') || 'none'}`);
    }
  } finally {
    await pipe.release();
  }
  console.log(JSON.stringify({ bench: 'class-probe', model: modelDir, guidance: guidance ?? null, seeds, rows }));
}
