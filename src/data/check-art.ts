// Finds catalogue icons that @resvg/resvg-js 2.6.2 cannot render. A few SVGs make resvg panic,
// which aborts the whole Node process (it cannot be caught), so each is found by running the
// renders in a child process and restarting after the one that killed it.
// Usage: npx tsx src/data/check-art.ts   (prints the pairs to put in UNRENDERABLE, catalog.ts)
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ART_SET_IDS } from './artsets.ts';
import { OBJECT_CLASSES } from './catalog.ts';

// Odd and tiny sizes too: the panic is in geometry code, so scale could matter.
const SIZES_TO_CHECK = [3, 7, 16, 33, 48, 130, 341];
const pairs = ART_SET_IDS.flatMap((set) => OBJECT_CLASSES.map((c) => `${set}/${c.icon}`));

if (process.argv[2] === '--child') {
  const { rasterizeSvg } = await import('./sprites.ts');
  const { iconSvg } = await import('./artsets.ts');
  const progress = process.argv[3]!;
  const start = Number(process.argv[4]);
  for (let i = start; i < pairs.length; i++) {
    writeFileSync(progress, String(i));
    const [set, icon] = pairs[i]!.split('/') as [(typeof ART_SET_IDS)[number], string];
    for (const size of SIZES_TO_CHECK) rasterizeSvg(iconSvg(set, icon), size);
  }
  writeFileSync(progress, String(pairs.length));
} else {
  const progress = join(mkdtempSync(join(tmpdir(), 'flowpaint-art-')), 'progress');
  const broken: string[] = [];
  let start = 0;
  while (start < pairs.length) {
    spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', progress, String(start)], { stdio: 'ignore' });
    const reached = Number(readFileSync(progress, 'utf8'));
    if (reached >= pairs.length) break;
    broken.push(pairs[reached]!);
    start = reached + 1;
  }
  console.log(JSON.stringify(broken));
}
