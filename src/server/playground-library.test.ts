// The playground's Library tab in a real browser (Debian's Chromium through playwright-core)
// against a real server with the tiny test model and a folder of photos: rescan, open a photo,
// paint a mask and edit, compare versions, restore the original, then select every photo and
// run a batch. What the page did is checked in the library's own store, where `flowpaint photos`
// would see it. Screenshots go to test-artifacts/playground/library-*.png.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import sharp from 'sharp';
import { PhotoStore, sha256 } from '../photos/index.ts';
import { tinyModelDir } from '../testing/tiny-model.ts';
import { ensureWebBuilt } from './playground-build.ts';
import { startTestServer, type TestServer } from './test-support/harness.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'playground');
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe('the Library tab in Chromium', { skip: existsSync(CHROMIUM) ? false : 'chromium is not installed (scripts/install-system-deps.sh installs Debian\'s chromium)' }, () => {
  let browser: Browser;
  let page: Page;
  let server: TestServer;
  let lib: string;
  let playgroundDir: string;
  const originals = new Map<string, string>();
  const shot = (name: string, p = page) => p.screenshot({ path: join(ARTIFACTS, `library-${name}.png`), fullPage: true });

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    lib = mkdtempSync(join(tmpdir(), 'fp-library-e2e-'));
    playgroundDir = mkdtempSync(join(tmpdir(), 'fp-library-e2e-playground-'));
    const colours = ['#cc3333', '#33aa55', '#3355cc', '#ddaa22'];
    for (const [i, c] of colours.entries()) {
      const bytes = await sharp({ create: { width: i === 1 ? 96 : 64, height: 64, channels: 3, background: c } }).composite([{ input: Buffer.from(`<svg width="32" height="32"><circle cx="16" cy="16" r="14" fill="white"/></svg>`), left: 16, top: 16 }]).jpeg().toBuffer();
      writeFileSync(join(lib, `photo-${i}.jpg`), bytes);
      originals.set(`photo-${i}.jpg`, sha256(bytes));
    }
    const [modelDir] = await Promise.all([tinyModelDir(), ensureWebBuilt()]);
    server = await startTestServer({
      pipeline: { modelDir, options: { threads: 1, safetyConfig: { output: { enabled: false } } } },
      quality: { low: { steps: 1, fast: true }, medium: { steps: 2 }, high: { steps: 3 } },
      playground: { dir: playgroundDir },
      library: { dir: lib },
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
    page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    page.setDefaultTimeout(30_000);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    for (const d of [lib, playgroundDir]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it('rescans, edits one photo with the mask brush, compares and restores', async () => {
    await page.goto(server.url);
    await page.getByRole('tab', { name: 'Library' }).click();
    await page.getByText('has not been indexed yet').waitFor();
    await page.getByRole('button', { name: 'Rescan folder' }).click();
    await page.getByText('4 new, 0 changed').waitFor();
    // The note comes after the grid has been reloaded, so the four photos are there with it.
    assert.equal(await page.getByTestId('library-photo').count(), 4);
    await page.getByTestId('library-photo').locator('img').nth(3).waitFor();
    await shot('1-grid');

    await page.getByRole('button', { name: 'Open photo-1.jpg' }).click();
    await page.getByTestId('shown-version').getByText('showing original (current)').waitFor();
    await page.getByLabel('Brush size').fill('60');
    const box = (await page.getByTestId('mask').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.5);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.45, box.y + box.height * 0.5, { steps: 6 });
    await page.mouse.up();
    assert.match(await page.getByTestId('coverage').innerText(), /% masked: inpainting/);
    await page.getByLabel('Instruction').fill('a yellow star');
    await page.getByRole('button', { name: 'Edit original' }).click();
    await page.getByTestId('shown-version').getByText('showing v1 (current)').waitFor();
    await shot('2-edited');

    // The page's edit is the library's version 1, masked, at the photo's working size.
    let store = PhotoStore.open(lib);
    let p = store.find('photo-1.jpg');
    assert.deepEqual([p.current, p.versions.length, p.versions[0]!.width, p.versions[0]!.height, Boolean(p.versions[0]!.recipe.mask)], [1, 1, 96, 64, true]);

    await page.getByLabel('Compare versions').check();
    await page.getByTestId('library-compare').locator('img').nth(1).waitFor();
    assert.equal(await page.getByLabel('Compare left').inputValue(), '0');
    assert.equal(await page.getByLabel('Compare right').inputValue(), '1');
    await shot('3-compare');
    await page.getByLabel('Compare versions').uncheck();

    await page.getByRole('list', { name: 'Versions of this photo' }).getByRole('button', { name: /original/ }).click();
    await page.getByRole('button', { name: 'Make original current' }).click();
    await page.getByTestId('shown-version').getByText('showing original (current)').waitFor();
    store = PhotoStore.open(lib);
    assert.equal(store.find('photo-1.jpg').current, 0);
  });

  it('selects every photo and runs a batch; the store has a version of each, originals untouched', async () => {
    await page.getByRole('button', { name: '← All photos' }).click();
    await page.getByRole('button', { name: 'Select all' }).click();
    await page.getByText('4 photos, 4 selected').waitFor();
    await page.getByLabel('Preset').selectOption('recolor');
    await page.getByLabel('Object').fill('circle');
    await page.getByLabel('Colour').fill('blue');
    await page.getByRole('button', { name: 'Edit 4 photos' }).click();
    const store = () => PhotoStore.open(lib);
    const deadline = Date.now() + 120_000;
    while (!store().photos.every((p) => p.versions.some((v) => v.batch))) {
      assert.ok(Date.now() < deadline, 'the batch finished');
      await new Promise((r) => setTimeout(r, 200));
    }
    // The page polls while the batch runs, and shows the new versions when it is done.
    await page.getByText('2 versions, current v2').waitFor();
    await page.getByTestId('batch').getByText('4 done, 0 failed, 0 left (finished)').waitFor();
    await shot('4-batch');
    for (const p of store().photos) {
      const v = p.versions.find((x) => x.batch)!;
      assert.equal(v.recipe.instruction, 'make the circle blue');
      assert.equal(p.current, v.n);
    }
    for (const [name, hash] of originals) assert.equal(sha256(readFileSync(join(lib, name))), hash, name);
    assert.deepEqual(readdirSync(lib).sort(), ['.flowpaint', ...originals.keys()].sort());
  });

  it('works at phone width', async () => {
    const phone = await browser.newPage({ viewport: { width: 375, height: 800 } });
    try {
      await phone.goto(server.url);
      await phone.getByRole('tab', { name: 'Library' }).click();
      await phone.getByTestId('library-photo').nth(3).locator('img').waitFor();
      const overflow = Number(await phone.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
      assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
      await phone.getByRole('button', { name: 'Open photo-0.jpg' }).click();
      await phone.getByTestId('mask').waitFor();
      await shot('5-phone', phone);
    } finally {
      await phone.close();
    }
  });
});
