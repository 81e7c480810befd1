// Device choice (engine/device.ts): the CPU unless asked, CUDA only when its provider libraries are
// installed, and an error that names what is missing and how to add it. No GPU is needed: the file
// check is the caller's to pass.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { CUDA_INSTALL_COMMAND, CUDA_PROVIDER_FILES, parseDevice, providerFor, requestedDevice } from './device.ts';

const BIN = '/opt/ort/bin';

test('the flag wins over FLOWPAINT_DEVICE, which wins over the CPU default; bad values are named', () => {
  assert.equal(requestedDevice(undefined, {}), 'cpu');
  assert.equal(requestedDevice(undefined, { FLOWPAINT_DEVICE: 'cuda' }), 'cuda');
  assert.equal(requestedDevice('cpu', { FLOWPAINT_DEVICE: 'cuda' }), 'cpu');
  assert.equal(requestedDevice('cuda', {}), 'cuda');
  assert.equal(requestedDevice(undefined, { FLOWPAINT_DEVICE: '' }), 'cpu');
  assert.throws(() => requestedDevice(undefined, { FLOWPAINT_DEVICE: 'gpu' }), /FLOWPAINT_DEVICE must be one of cpu, cuda, got 'gpu'/);
  assert.throws(() => parseDevice('tpu'), (err: Error) => err.name === 'InputError' && /--device must be one of cpu, cuda, got 'tpu'/.test(err.message));
});

test('cpu needs nothing; cuda is chosen only when both provider libraries are present', () => {
  assert.equal(providerFor('cpu', BIN, () => false), 'cpu');
  const present = new Set(CUDA_PROVIDER_FILES.map((f) => join(BIN, f)));
  assert.equal(providerFor('cuda', BIN, (p) => present.has(p)), 'cuda');
});

test('cuda without its libraries: an InputError naming each missing file, the folder and the install command', () => {
  const check = (exists: (p: string) => boolean, missing: string[], present: string[]) => {
    assert.throws(() => providerFor('cuda', BIN, exists), (err: Error) => {
      assert.equal(err.name, 'InputError');
      for (const f of missing) assert.ok(err.message.includes(f), `names ${f}: ${err.message}`);
      for (const f of present) assert.ok(!err.message.includes(f), `does not name present ${f}`);
      assert.ok(err.message.includes(BIN));
      assert.ok(err.message.includes(CUDA_INSTALL_COMMAND));
      assert.match(err.message, /runs on the CPU/);
      return true;
    });
  };
  check(() => false, [...CUDA_PROVIDER_FILES], []);
  const [shared, cuda] = CUDA_PROVIDER_FILES;
  check((p) => p === join(BIN, shared), [cuda], [shared]);
});
