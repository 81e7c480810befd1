// Sessions from ONNX Runtime's optimised copy of a graph: the first start saves the copy, later
// starts read it, and every one of them computes exactly what a session made from the graph as
// built computes (the outputs of a generate must not depend on which start made them).
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { HostTensor } from './host.ts';
import { serializeGraph } from './onnx.ts';
import * as o from './ops.ts';
import { Rng } from './random.ts';
import { Session } from './runtime.ts';
import { optimizedSession } from './optimized-session.ts';

const root = mkdtempSync(join(tmpdir(), 'flowpaint-optimized-'));
after(() => rmSync(root, { recursive: true, force: true }));

const rng = new Rng(7);
const values = (n: number, scale = 0.3) => rng.fillNormal(new Float32Array(n)).map((v) => v * scale);

/**
 * A small network with what ONNX Runtime rewrites at level 'all': convolutions with a clipped and
 * a plain ReLU (fused, then laid out for this CPU), a depthwise convolution, a dense layer (matmul
 * + add), layer normalisation and a softmax.
 */
function network(): Uint8Array {
  const x = o.input('x', [1, 8, 16, 16]);
  let y = o.clamp(o.conv2d(x, o.constant(values(16 * 8 * 9), [16, 8, 3, 3]), o.constant(values(16), [16]), { padding: 1 }), 0, 6);
  y = o.relu(o.conv2d(y, o.constant(values(16 * 9), [16, 1, 3, 3]), o.constant(values(16), [16]), { padding: 1, groups: 16 }));
  let d = o.add(o.matmul(o.mean(y, [2, 3]), o.constant(values(16 * 10), [16, 10])), o.constant(values(10), [10]));
  d = o.layerNorm(d, o.constant(values(10), [10]), o.constant(values(10), [10]));
  return serializeGraph({ outputs: { probs: o.softmax(d, -1) }, inputs: [x], paramMode: 'inputs' }).bytes;
}

const graph = network();
const inputs = [0, 1, 2].map(() => values(8 * 16 * 16, 1));

async function outputsOf(session: Session): Promise<Float32Array[]> {
  try {
    const out: Float32Array[] = [];
    for (const x of inputs) out.push((await session.run({ x: HostTensor.f32(x, [1, 8, 16, 16]) })).probs!.f32());
    return out;
  } finally {
    await session.release();
  }
}

const reference = await outputsOf(await Session.create(graph));

function assertSameBits(got: Float32Array[], what: string): void {
  got.forEach((g, i) => assert.deepEqual(new Uint32Array(g.buffer, g.byteOffset, g.length), new Uint32Array(reference[i]!.buffer, reference[i]!.byteOffset, reference[i]!.length), `${what}, input ${i}`));
}

test('the first start saves the optimised copy, later starts read it, and all compute the same bits', async () => {
  let builds = 0;
  const spec = { slot: 'net', key: { net: 1 }, root };
  const build = () => (builds++, graph);
  const first = await optimizedSession(spec, build, { threads: 1 });
  assert.equal(first.optimized, 'saved');
  assert.equal(first.graph, 'built');
  // The copy is the rewritten graph (fused convolutions are contrib ops), not the graph as built:
  // the same bits below come from different graphs computing the same thing.
  assert.ok(readFileSync(join(root, 'graphs', 'net.optimized.onnx')).includes('com.microsoft'), 'the copy holds ONNX Runtime\'s fused ops');
  assertSameBits(await outputsOf(first.session), 'the session that saved the copy');
  const second = await optimizedSession(spec, build, { threads: 1 });
  assert.equal(second.optimized, 'read');
  assert.equal(second.graph, 'unused', 'the graph as built is not read when the copy is');
  assertSameBits(await outputsOf(second.session), 'a session from the copy');
  assert.equal(builds, 1);
});

test('a corrupted copy is optimised again from the cached graph and replaced', async () => {
  const spec = { slot: 'net2', key: { net: 2 }, root };
  await (await optimizedSession(spec, () => graph)).session.release();
  const path = join(root, 'graphs', 'net2.optimized.onnx');
  const file = readFileSync(path);
  file[file.length - 10]! ^= 0xff;
  writeFileSync(path, file);
  const again = await optimizedSession(spec, () => assert.fail('the graph is in the cache'));
  assert.equal(again.optimized, 'saved');
  assert.equal(again.graph, 'hit');
  assertSameBits(await outputsOf(again.session), 'a session after the repair');
  assert.equal((await optimizedSession(spec, () => graph)).optimized, 'read');
});

test('another key (new weights or code) makes a new copy, not the old one', async () => {
  const spec = { slot: 'net3', key: { weights: 'a' }, root };
  await (await optimizedSession(spec, () => graph)).session.release();
  const other = await optimizedSession({ ...spec, key: { weights: 'b' } }, () => graph);
  assert.equal(other.optimized, 'saved');
  assert.equal(other.graph, 'stale');
  await other.session.release();
});

test('a cache that cannot be written still gives a working session', async () => {
  const blocked = join(root, 'a-file');
  writeFileSync(blocked, '');
  const got = await optimizedSession({ slot: 'net4', key: 1, root: blocked }, () => graph);
  assert.equal(got.optimized, 'unsaved');
  assertSameBits(await outputsOf(got.session), 'a session without a cache');
});
