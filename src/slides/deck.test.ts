// A 10-slide deck made with the tiny test model, read back as a zip of OOXML parts (jszip, not the
// library that wrote it): slide count, text, picture placement, alt text, notes; then
// --regenerate and --edit change one slide and keep every other slide's parts byte for byte.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import JSZip from 'jszip';
import sharp from 'sharp';
import { loadPipeline, type Pipeline, readPngText } from '../pipeline/index.ts';
import { tinyModelDir } from '../testing/tiny-model.ts';
import { parseOutline } from './outline.ts';
import { makeDeck } from './make.ts';

const OUTLINE = `# Flowpaint in ten slides
> image: a red rocket over a green hill

# Why pictures
- Slides with pictures are remembered
- Every picture is *made* here
  - from the slide's own words
> notes: pause here

# A square picture
> layout: square
> image: a blue heart on a white background
- One
- Two

# Text only
> layout: none
- No picture on this slide

# Apples & "quotes" <tags>
- Escaping is the library's job

# Six
- six

# Seven
> layout: background
- over the picture

# Eight
- eight

# Nine
- nine

# The end
`;

const EMU = 914400;
const SLIDE_W = 13.333 * EMU;
const SLIDE_H = 7.5 * EMU;

interface Pic {
  descr: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

async function parts(bytes: Uint8Array): Promise<Map<string, string | Uint8Array>> {
  const zip = await JSZip.loadAsync(bytes);
  const out = new Map<string, string | Uint8Array>();
  for (const [name, f] of Object.entries(zip.files)) {
    if (f.dir) continue;
    out.set(name, name.endsWith('.xml') || name.endsWith('.rels') ? await f.async('string') : await f.async('uint8array'));
  }
  return out;
}

function pictures(slideXml: string): Pic[] {
  return [...slideXml.matchAll(/<p:pic>[\s\S]*?<\/p:pic>/g)].map(([pic]) => {
    const off = /<a:off x="(\d+)" y="(\d+)"\/>/.exec(pic)!;
    const ext = /<a:ext cx="(\d+)" cy="(\d+)"\/>/.exec(pic)!;
    return { descr: unescapeXml(/descr="([^"]*)"/.exec(pic)![1]!), x: +off[1]!, y: +off[2]!, w: +ext[1]!, h: +ext[2]! };
  });
}

/** All run text of a part, in order, unescaped. */
function texts(xml: string): string[] {
  return [...xml.matchAll(/<a:t>([^<]*)<\/a:t>/g)].map((m) => unescapeXml(m[1]!));
}

function unescapeXml(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

function slidePicture(p: Map<string, string | Uint8Array>, n: number): Uint8Array | undefined {
  const rels = p.get(`ppt/slides/_rels/slide${n}.xml.rels`) as string;
  const target = /relationships\/image" Target="\.\.\/media\/([^"]+)"/.exec(rels)?.[1];
  return target ? (p.get(`ppt/media/${target}`) as Uint8Array) : undefined;
}

/** The parts that make up slide n: its XML, relationships, notes and picture. */
function slideParts(p: Map<string, string | Uint8Array>, n: number): (string | Uint8Array | undefined)[] {
  return [p.get(`ppt/slides/slide${n}.xml`), p.get(`ppt/slides/_rels/slide${n}.xml.rels`), p.get(`ppt/notesSlides/notesSlide${n}.xml`), slidePicture(p, n)];
}

let pipe: Pipeline;
let model: string;
const slides = parseOutline(OUTLINE);
let first: Uint8Array;

before(async () => {
  model = await tinyModelDir();
  // The barely trained test model paints blobs a nudity classifier may call anything: output filter off.
  pipe = await loadPipeline({ modelDir: model, threads: 1, safetyConfig: { output: { enabled: false }, audit: { sink: 'none' } } });
  first = (await makeDeck(pipe, { slides, seed: 100, steps: 1 })).deck;
});
after(async () => {
  await pipe?.release();
});

describe('a 10-slide deck, read back from its XML', () => {
  test('slide count, text in order, notes with prompt/seed/model', async () => {
    const p = await parts(first);
    assert.equal([...p.keys()].filter((k) => /^ppt\/slides\/slide\d+\.xml$/.test(k)).length, 10);
    assert.match(p.get('ppt/presentation.xml') as string, /<p:sldSz cx="12192000" cy="6858000"\/>/);
    const s2 = texts(p.get('ppt/slides/slide2.xml') as string);
    assert.deepEqual(s2, ['Why pictures', 'Slides with pictures are remembered', 'Every picture is made here', "from the slide's own words"]);
    assert.match(p.get('ppt/slides/slide2.xml') as string, /<a:pPr[^>]*lvl="1"/);
    assert.deepEqual(texts(p.get('ppt/slides/slide5.xml') as string), ['Apples & "quotes" <tags>', "Escaping is the library's job"]);
    const notes2 = texts(p.get('ppt/notesSlides/notesSlide2.xml') as string).join('\n');
    assert.match(notes2, /pause here/);
    assert.match(notes2, /Prompt: Why pictures: Slides with pictures are remembered, Every picture is made here/);
    assert.match(notes2, /Seed: 101/);
    assert.match(notes2, /Model: tiny \(version 0\)/);
    const notes1 = texts(p.get('ppt/notesSlides/notesSlide1.xml') as string).join('\n');
    assert.match(notes1, /Prompt: a red rocket over a green hill/);
    assert.match(notes1, /Seed: 100/);
  });

  test('pictures: behind title slides, beside text, none on text-only slides; alt text says AI-generated', async () => {
    const p = await parts(first);
    for (let n = 1; n <= 10; n++) {
      const pics = pictures(p.get(`ppt/slides/slide${n}.xml`) as string);
      if (n === 4) {
        assert.equal(pics.length, 0, 'the text-only slide has no picture');
        assert.equal(slidePicture(p, n), undefined);
        continue;
      }
      assert.equal(pics.length, 1, `slide ${n}`);
      const pic = pics[0]!;
      assert.match(pic.descr, /^AI-generated image \(flowpaint by the tiny model\): /);
      const png = slidePicture(p, n)!;
      const meta = readPngText(Buffer.from(png));
      assert.equal(JSON.parse(meta['flowpaint:parameters']!).seed, 100 + n - 1, 'the PNG keeps its generation metadata');
      assert.ok(meta['flowpaint:provenance'], 'the PNG keeps its provenance');
      const { width, height } = await sharp(png).metadata();
      if (n === 1 || n === 7 || n === 10) {
        // Background: covers the whole slide, drawn at 16:9.
        assert.deepEqual([pic.x, pic.y], [0, 0], `slide ${n}`);
        assert.ok(Math.abs(pic.w - SLIDE_W) < EMU * 0.01 && Math.abs(pic.h - SLIDE_H) < EMU * 0.01, `slide ${n} covers the slide`);
        assert.ok(Math.abs(width! / height! / (16 / 9) - 1) <= 0.05, `slide ${n} picture ${width}x${height}`);
      } else {
        // Beside the text: in the right half, inside the slide, with the picture's own aspect ratio.
        assert.ok(pic.x >= SLIDE_W / 2 && pic.x + pic.w <= SLIDE_W + 1 && pic.y + pic.h <= SLIDE_H + 1, `slide ${n} at ${pic.x},${pic.y}`);
        assert.ok(Math.abs(pic.w / pic.h - width! / height!) < 0.01, `slide ${n} keeps the aspect ratio`);
        const aspect = n === 3 ? 1 : 4 / 3;
        assert.ok(Math.abs(width! / height! / aspect - 1) <= 0.05, `slide ${n} picture ${width}x${height}`);
      }
    }
    assert.match(pictures(p.get('ppt/slides/slide1.xml') as string)[0]!.descr, /: a red rocket over a green hill$/);
  });

  test('the same outline and seed make the same slides', async () => {
    const again = await parts((await makeDeck(pipe, { slides, seed: 100, steps: 1 })).deck);
    const p = await parts(first);
    for (let n = 1; n <= 10; n++) {
      // The PNG records its creation time (provenance), so pictures are compared by their pixels.
      assert.deepEqual(slideParts(again, n).slice(0, 3), slideParts(p, n).slice(0, 3), `slide ${n}`);
      const [a, b] = [slidePicture(again, n), slidePicture(p, n)];
      if (a && b) assert.deepEqual(await sharp(a).raw().toBuffer(), await sharp(b).raw().toBuffer(), `slide ${n} pixels`);
      else assert.equal(a, b);
    }
  });
});

describe('--regenerate and --edit change one slide only', () => {
  test('regenerate slide 3: a new picture there, every other slide byte-identical', async () => {
    const before = await parts(first);
    const r = await makeDeck(pipe, { slides, previous: first, regenerate: 3, seed: 999, steps: 1 });
    assert.deepEqual(r.made, [3]);
    const after = await parts(r.deck);
    for (let n = 1; n <= 10; n++) {
      if (n === 3) continue;
      assert.deepEqual(slideParts(after, n), slideParts(before, n), `slide ${n} kept`);
    }
    assert.notDeepEqual(slidePicture(after, 3), slidePicture(before, 3));
    assert.match(texts(after.get('ppt/notesSlides/notesSlide3.xml') as string).join('\n'), /Seed: 999/);
  });

  test('edit slide 2: the edited picture records its history; others byte-identical', async () => {
    const before = await parts(first);
    const r = await makeDeck(pipe, { slides, previous: first, edit: { slide: 2, instruction: 'make the sky orange' }, seed: 5, steps: 1 });
    const after = await parts(r.deck);
    for (let n = 1; n <= 10; n++) if (n !== 2) assert.deepEqual(slideParts(after, n), slideParts(before, n), `slide ${n} kept`);
    const png = slidePicture(after, 2)!;
    const history = JSON.parse(readPngText(Buffer.from(png))['flowpaint:history']!);
    assert.deepEqual(history.map((h: { mode: string }) => h.mode), ['generate', 'edit']);
    assert.equal(history[0].seed, 101);
    const notes = texts(after.get('ppt/notesSlides/notesSlide2.xml') as string).join('\n');
    assert.match(notes, /Seed: 101/);
    assert.match(notes, /Edit 1: make the sky orange \(seed 5, 1 steps\)/);
    assert.match(pictures(after.get('ppt/slides/slide2.xml') as string)[0]!.descr, /edited: make the sky orange$/);
  });

  test('errors before any work: no such slide, a slide without a picture, no previous deck, another outline', async () => {
    await assert.rejects(makeDeck(pipe, { slides, previous: first, regenerate: 11, steps: 1 }), /slide 11 does not exist/);
    await assert.rejects(makeDeck(pipe, { slides, previous: first, regenerate: 4, steps: 1 }), /slide 4 has no picture/);
    await assert.rejects(makeDeck(pipe, { slides, regenerate: 2, steps: 1 }), /does not exist yet/);
    await assert.rejects(makeDeck(pipe, { slides: slides.slice(0, 5), previous: first, regenerate: 2, steps: 1 }), /has 10 slides but the outline has 5/);
  });
});

describe('flowpaint slides (the command)', () => {
  const bin = new URL('../../bin/flowpaint.js', import.meta.url).pathname;
  const run = promisify(execFile);
  async function flowpaint(args: string[], env: Record<string, string>) {
    try {
      const r = await run(process.execPath, [bin, ...args], { env: { ...process.env, ...env } });
      return { code: 0, ...r };
    } catch (err) {
      return err as { code: number; stdout: string; stderr: string };
    }
  }

  test('makes a deck, regenerates one slide, and answers usage errors with exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slides-'));
    const policy = join(dir, 'policy.json');
    writeFileSync(policy, JSON.stringify({ output: { enabled: false }, audit: { sink: 'none' } }));
    const outline = join(dir, 'talk.md');
    writeFileSync(outline, '# Hello\n- world\n\n# Bye\n');
    const env = { FLOWPAINT_SAFETY_CONFIG: policy, FLOWPAINT_ORT_SPINNING: '0' };
    const r = await flowpaint(['slides', outline, '--model', model, '--steps', '1', '--seed', '3', '--threads', '1'], env);
    assert.equal(r.code, 0, r.stderr);
    const deck = join(dir, 'talk.pptx');
    assert.equal(r.stdout.trim(), deck);
    const p1 = await parts(readFileSync(deck));
    const r2 = await flowpaint(['slides', outline, '-o', deck, '--model', model, '--steps', '1', '--regenerate', '2', '--threads', '1'], env);
    assert.equal(r2.code, 0, r2.stderr);
    const p2 = await parts(readFileSync(deck));
    assert.deepEqual(slideParts(p2, 1), slideParts(p1, 1));
    assert.equal((await flowpaint(['slides', outline, '--edit', '2'], env)).code, 2);
    assert.equal((await flowpaint(['slides', outline, '-o', join(dir, 'x.pdf')], env)).code, 2);
    assert.equal((await flowpaint(['slides', join(dir, 'missing.md')], env)).code, 2);
  });
});
