import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_PIXELS } from '../pipeline/sizes.ts';
import { containBox, imageSizeFor } from './layout.ts';
import { derivePrompt, parseOutline } from './outline.ts';

describe('parseOutline', () => {
  test('headings, bullets with levels, body text, directives', () => {
    const slides = parseOutline(
      [
        'Deck title before the first heading is ignored',
        '# Our **launch** plan',
        '> image: a red rocket over a green hill',
        '- Build the *rocket*',
        '  - test the engine',
        '- Fly it',
        'A plain line of body text.',
        '> notes: remember the demo',
        '',
        '# Thank you',
        '',
        '# Budget',
        '> layout: none',
        '1. Year one',
      ].join('\n'),
    );
    assert.equal(slides.length, 3);
    assert.deepEqual(slides[0]!.bullets, [{ text: 'Build the *rocket*', level: 0 }, { text: 'test the engine', level: 1 }, { text: 'Fly it', level: 0 }]);
    assert.equal(slides[0]!.prompt, 'a red rocket over a green hill');
    assert.equal(slides[0]!.promptFromOutline, true);
    assert.equal(slides[0]!.layout, 'side');
    assert.deepEqual(slides[0]!.body, ['A plain line of body text.']);
    assert.deepEqual(slides[0]!.notes, ['remember the demo']);
    // No text under a heading: a title slide, the picture behind it; the prompt from the heading.
    assert.equal(slides[1]!.layout, 'background');
    assert.equal(slides[1]!.prompt, 'Thank you');
    assert.equal(slides[1]!.promptFromOutline, false);
    assert.equal(slides[2]!.layout, 'none');
    assert.equal(slides[2]!.prompt, undefined);
  });

  test('a prompt written from heading and top-level bullets, without Markdown, cut short', () => {
    assert.equal(derivePrompt('Our **launch**', [{ text: 'a `red` rocket', level: 0 }, { text: 'detail', level: 1 }], []), 'Our launch: a red rocket');
    const long = derivePrompt('Title', Array.from({ length: 100 }, (_, i) => ({ text: `bullet number ${i}`, level: 0 })), []);
    assert.ok(long.length <= 300 && long.startsWith('Title: bullet number 0'));
  });

  test('errors name the line', () => {
    assert.throws(() => parseOutline('no heading here'), /no slides/);
    assert.throws(() => parseOutline('# A\n> layout: diagonal'), /outline line 2: layout must be one of/);
    assert.throws(() => parseOutline('# A\n> colour: red'), /unknown directive/);
    assert.throws(() => parseOutline('# A\n> image:'), /image prompt is empty/);
  });
});

describe('picture sizes and placement', () => {
  test('each layout aspect gets a valid size near the native area', () => {
    const buckets = [{ width: 128, height: 128 }, { width: 160, height: 96 }, { width: 192, height: 80 }];
    for (const [aspect, area] of [[16 / 9, 16384], [4 / 3, 16384], [1, 16384], [16 / 9, 4096], [4 / 3, 4096], [16 / 9, 1 << 20]] as const) {
      const s = imageSizeFor(aspect, area, buckets);
      assert.equal(s.width % 16, 0);
      assert.equal(s.height % 16, 0);
      assert.ok(s.width >= 64 && s.height >= 64 && s.width * s.height <= MAX_PIXELS);
      assert.ok(Math.abs(s.width / s.height / aspect - 1) <= 0.05, `${aspect} → ${s.width}x${s.height}`);
    }
    assert.deepEqual(imageSizeFor(1, 16384, buckets), { width: 128, height: 128 });
    assert.deepEqual(imageSizeFor(16 / 9, 16384, buckets), { width: 144, height: 80 });
    // Nothing at 4:3 fits in 64×64: the smallest matching size (drawn at the bucket and resized).
    assert.deepEqual(imageSizeFor(4 / 3, 4096, [{ width: 64, height: 64 }]), { width: 128, height: 96 });
    assert.deepEqual(imageSizeFor(16 / 9, 1 << 20), { width: 1360, height: 768 });
  });

  test('contain keeps the aspect ratio and centres in the slot', () => {
    const b = containBox({ x: 7, y: 1.5, w: 6, h: 5 }, 400, 300);
    assert.deepEqual(b, { x: 7, y: 1.75, w: 6, h: 4.5 });
  });
});
