// serve --quantize: the flag reaches every worker's pipeline loader through pipeline.options,
// next to --model and a config file's own pipeline options.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadServerConfig } from '../server/config.ts';
import { pipelineOverride } from './commands/serve.ts';

test('--quantize lands in pipeline.options; --model and the file\'s options are kept', () => {
  const file = { modelDir: 'models/a', options: { safety: { output: { enabled: false } } } };
  const cfg = loadServerConfig({ env: {}, overrides: pipelineOverride({ quantize: 'int8', model: 'models/b' }, file) });
  assert.equal(cfg.pipeline.modelDir, 'models/b');
  assert.deepEqual(cfg.pipeline.options, { safety: { output: { enabled: false } }, quantize: 'int8' });
  // Without the flags nothing is overridden.
  assert.deepEqual(pipelineOverride({}, file), {});
  assert.deepEqual(loadServerConfig({ env: {}, overrides: pipelineOverride({ quantize: 'int4' }) }).pipeline.options, { quantize: 'int4' });
});
