import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OBJECT_CLASSES } from '../../data/catalog.ts';
import { suggestPrompt, TOPICS } from './topics.ts';

describe('arena topics', () => {
  it('are what the models were trained on: no people, and suggestions from the catalog\'s vocabulary', () => {
    assert.ok(!(TOPICS as readonly string[]).includes('people'));
    const nouns = OBJECT_CLASSES.flatMap((c) => [c.noun, c.plural]);
    for (const topic of TOPICS) {
      for (let i = 0; i < 30; i++) {
        const p = suggestPrompt(topic);
        assert.match(p, /on an? \w+ background$/, p);
        if (topic !== 'lettering') assert.ok(nouns.some((n) => p.includes(n)), `${topic}: ${p}`);
      }
    }
    assert.match(suggestPrompt('lettering'), /sign that says "[A-Z]+"/);
    assert.match(suggestPrompt('counting'), /^(two|three|four) /);
  });
});
