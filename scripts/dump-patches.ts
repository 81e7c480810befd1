// Writes the patches of training scenes as raw float32, for checking outside the product what a
// patch-sized output can represent (scripts/patch-pca.py reads the file):
//
//   npx tsx scripts/dump-patches.ts [--model DIR] [--scenes 1500] [--out patches.f32]
//
// Scenes come from the model's own training scope (its config.json), at 128², cut into the
// model's patches in the order the denoiser sees them; values in [-1, 1].
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SceneStream } from '../src/data/stream.ts';
import type { DataScope } from '../src/data/scope.ts';
import { patchify } from '../src/model/layout.ts';
import { loadModel } from '../src/model/store.ts';

const { values } = parseArgs({ options: { model: { type: 'string', default: 'models/candidate' }, scenes: { type: 'string', default: '1500' }, out: { type: 'string', default: 'patches.f32' } } });
const model = loadModel(values.model!);
const patch = model.config.patchSize;
const scope = (model.info.training?.data ?? undefined) as DataScope | undefined;
const stream = new SceneStream({ seed: 777, editFraction: 0, buckets: [{ width: 128, height: 128 }], scope });
const scenes = Number(values.scenes);
const perScene = (128 / patch) ** 2 * patch * patch * 3;
const all = new Float32Array(scenes * perScene);
for (let k = 0; k < scenes; k++) {
  const s = stream.next();
  if (s.kind !== 't2i') throw new Error('dump-patches: the stream gave an edit sample');
  all.set(patchify(s.image, patch), k * perScene);
}
writeFileSync(values.out!, all);
console.log(`${values.out}: ${scenes * (128 / patch) ** 2} patches of ${patch * patch * 3} values`);
