import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { composeScene } from './compose.ts';
import { PALETTE, colorDistance, dominantColorName } from './colors.ts';
import { backgroundAt, plateLayout, renderScene } from './render.ts';
import { cellBox, rowBox, specOf } from './scene.ts';
import { boxContains, pixelAt, pointInAnyBox } from './pixels.ts';
import type { RgbColor } from './image.ts';

const sha = (d: Uint8Array) => createHash('sha256').update(d).digest('hex');

test('the same seed gives byte-identical images and identical scenes', () => {
  for (const seed of [0, 1, 77, 2 ** 31 + 5]) {
    const a = composeScene(seed, { width: 128, height: 96 });
    const b = composeScene(seed, { width: 128, height: 96 });
    assert.equal(sha(a.image.data), sha(b.image.data));
    assert.deepEqual(a.scene, b.scene);
    assert.deepEqual(a.captions, b.captions);
  }
  const c = composeScene(1, { width: 128, height: 96 });
  const d = composeScene(2, { width: 128, height: 96 });
  assert.notEqual(sha(c.image.data), sha(d.image.data));
});

test('a stored scene redraws to the same pixels (scenes are JSON ground truth)', () => {
  const a = composeScene(5, { width: 160, height: 128 });
  const spec = JSON.parse(JSON.stringify(a.scene));
  const b = composeScene(specOf(spec), { width: 160, height: 128 });
  assert.equal(sha(a.image.data), sha(b.image.data));
});

test('sizes: 64 px sides up to 1,048,576 pixels, any aspect ratio; others rejected by name', () => {
  for (const [w, h] of [[64, 64], [64, 256], [1024, 1024], [2048, 512], [512, 2048], [1232, 848]] as const) {
    const r = composeScene(3, { width: w, height: h });
    assert.equal(r.image.data.length, w * h * 3);
    assert.equal(r.scene.width, w);
  }
  assert.throws(() => composeScene(1, { width: 48, height: 64 }), { name: 'InputError', message: /width must be at least 64/ });
  assert.throws(() => composeScene(1, { width: 100, height: 64 }), { name: 'InputError', message: /multiple of 16/ });
  assert.throws(() => composeScene(1, { width: 1040, height: 1024 }), { name: 'InputError', message: /limit is 1,048,576/ });
});

function near(a: RgbColor, b: RgbColor): boolean {
  return Math.abs(a[0] - b[0]) <= 1 && Math.abs(a[1] - b[1]) <= 1 && Math.abs(a[2] - b[2]) <= 1;
}

test('ground truth agrees with pixels: background, object places, lettering plates', () => {
  let checkedObjects = 0;
  for (let seed = 0; seed < 40; seed++) {
    const w = seed % 2 ? 192 : 128;
    const h = seed % 3 ? 128 : 176;
    const { image, scene } = composeScene(seed, { width: w, height: h });
    const itemBoxes = [...scene.objects.flatMap((o) => o.instances), ...scene.texts.map((t) => t.bbox)];
    // Every pixel outside the items is the named background, exactly.
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        if (pointInAnyBox(x, y, itemBoxes)) continue;
        const want = backgroundAt(scene.background, w, h, x, y);
        assert.ok(near(pixelAt(image, x, y), want), `seed ${seed}: background at ${x},${y}`);
      }
    }
    if (scene.background.kind === 'solid') {
      // A corner outside every item shows the palette colour of the named background.
      const corners: [number, number][] = [[0, 0], [w - 1, 0], [0, h - 1], [w - 1, h - 1]];
      const free = corners.filter(([x, y]) => !pointInAnyBox(x, y, itemBoxes));
      for (const [x, y] of free) assert.deepEqual(pixelAt(image, x, y), [...PALETTE[scene.background.color]]);
    }
    for (const o of scene.objects) {
      const cell = cellBox(w, h, o.row, o.col);
      assert.equal(o.instances.length, o.count);
      for (const b of o.instances) {
        // "top left" means the pixels are in the top-left cell.
        assert.ok(boxContains(cell, b), `seed ${seed}: ${o.classId} box outside its cell ${o.position}`);
        let drawn = 0;
        for (let y = b.y; y < b.y + b.height; y++) {
          for (let x = b.x; x < b.x + b.width; x++) {
            if (!near(pixelAt(image, x, y), backgroundAt(scene.background, w, h, x, y))) drawn++;
          }
        }
        assert.ok(drawn >= 0.05 * b.width * b.height, `seed ${seed}: ${o.classId} barely visible (${drawn} px)`);
        checkedObjects++;
      }
    }
    for (const t of scene.texts) {
      const area = t.col === null ? rowBox(w, h, t.row) : cellBox(w, h, t.row, t.col);
      assert.ok(boxContains(area, t.bbox), `seed ${seed}: ${t.kind} plate outside its ${t.position} area`);
    }
  }
  assert.ok(checkedObjects > 60);
});

test('recoloured objects read back as their colour', () => {
  let checked = 0;
  for (let seed = 0; seed < 150 && checked < 50; seed++) {
    const size = seed % 2 ? 128 : 256;
    const { image, scene } = composeScene(seed, { width: size, height: size });
    // Fully covered pixels only: antialiased rims are part background by construction.
    const { coverage } = renderScene(scene);
    for (const o of scene.objects) {
      if (!o.color) continue;
      const pixels: RgbColor[] = [];
      for (const b of o.instances) {
        for (let y = b.y; y < b.y + b.height; y++) {
          for (let x = b.x; x < b.x + b.width; x++) if (coverage.data[y * size + x] === 255) pixels.push(pixelAt(image, x, y));
        }
      }
      if (pixels.length < 8) continue; // a hairline icon drawn a few pixels wide
      assert.equal(dominantColorName(pixels), o.color, `seed ${seed}: ${o.color} ${o.classId} (${o.artSet})`);
      checked++;
    }
  }
  assert.ok(checked >= 50);
});

test('sign plates and their lettering use the named colours, at every size', () => {
  let checked = 0;
  const sizes = [[256, 256], [64, 64], [128, 64], [64, 256], [128, 128]] as const;
  for (let seed = 0; seed < 300 && checked < 40; seed++) {
    const [w, h] = sizes[seed % sizes.length]!;
    const { image, scene } = composeScene(seed, { width: w, height: h, constraints: { text: true } });
    for (const t of scene.texts) {
      // The band between the rim and the lettering area is bare plate.
      const { rim, inner } = plateLayout(t);
      assert.deepEqual(pixelAt(image, inner.x - 1, inner.y - 1), [...PALETTE[t.plateColor]], `seed ${seed}: plate`);
      assert.equal(inner.x - 1 >= t.bbox.x + rim, true);
      // The word is drawn: pixels nearer the ink than the plate, several per letter.
      const ink = PALETTE[t.textColor];
      const plate = PALETTE[t.plateColor];
      let inked = 0;
      for (let y = inner.y; y < inner.y + inner.height; y++) {
        for (let x = inner.x; x < inner.x + inner.width; x++) {
          const p = pixelAt(image, x, y);
          if (colorDistance(p, ink) < colorDistance(p, plate)) inked++;
        }
      }
      assert.ok(inked >= 6 * t.text.length, `seed ${seed} ${w}x${h}: "${t.text}" has ${inked} ink pixels`);
      checked++;
    }
  }
  assert.ok(checked >= 40);
});

test('an explicit spec whose word cannot be drawn at the size is refused by name', () => {
  const spec = {
    background: { kind: 'solid' as const, color: 'white' as const },
    objects: [],
    texts: [{ kind: 'label' as const, text: 'ELEPHANT', plateColor: 'blue' as const, textColor: 'white' as const, row: 0 as const, col: 0 as const }],
    blur: null,
  };
  assert.throws(() => composeScene(spec, { width: 64, height: 64 }), /texts\[0\]: "ELEPHANT" does not fit legibly on a label at 64x64/);
  assert.equal(composeScene(spec, { width: 512, height: 512 }).scene.texts[0]!.text, 'ELEPHANT');
});
