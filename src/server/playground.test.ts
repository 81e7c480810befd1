// The playground end to end, in a real browser: Debian's Chromium driven by playwright-core
// against a real server with the tiny test model. It generates (with streamed previews and a
// guidance scale, which the page checks against 0–30 and a fast Flash's range),
// paints a mask and inpaints, undoes and redoes, finds the history after a reload and a
// server restart, sees a refusal in words, votes in the arena and watches the leaderboard
// move, and asks for a key where the server has keys. Screenshots go to
// test-artifacts/playground/.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import sharp from 'sharp';
import { ensureWebBuilt } from './playground-build.ts';
import { startTestServer, type TestServer } from './test-support/harness.ts';
import { tinyModelDir } from '../testing/tiny-model.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'playground');
// The flags that keep Chromium from reaching for Google's services on a closed network.
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function decode(bytes: ArrayBuffer) {
  const { data, info } = await sharp(Buffer.from(bytes)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

describe('playground in Chromium', { skip: existsSync(CHROMIUM) ? false : 'chromium is not installed (scripts/install-system-deps.sh installs Debian\'s chromium)' }, () => {
  let browser: Browser;
  let page: Page;
  let server: TestServer;
  let modelDir: string;
  let dataDir: string;
  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

  const startModelServer = () => startTestServer({
    // The tiny model paints blobs that a nudity classifier may call anything; the output filter
    // is tested on the pipeline. The prompt filter stays on: the refusal below needs it.
    pipeline: { modelDir, options: { threads: 1, safetyConfig: { output: { enabled: false } } } },
    quality: { medium: { steps: 3 }, high: { steps: 5 } },
    playground: { dir: dataDir },
  });

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    dataDir = mkdtempSync(join(tmpdir(), 'fp-playground-'));
    [modelDir] = await Promise.all([tinyModelDir(), ensureWebBuilt()]);
    server = await startModelServer();
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
    page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    page.setDefaultTimeout(30_000);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('generates with streamed previews, inpaints a painted mask, undoes and redoes', async () => {
    await page.goto(server.url);
    // The size starts at the served model's native size, as the server reports it.
    const { sizes, guidance } = await (await fetch(`${server.url}/playground/api/config`)).json() as { sizes: { native: { width: number; height: number } }; guidance: unknown };
    // The tiny model records no guidance scale (so the pipeline's 4) and has no Flash.
    assert.deepEqual(guidance, { default: 4, fastRange: null });
    await page.getByTestId('size').getByText(new RegExp(`^${sizes.native.width}×${sizes.native.height} =`)).waitFor();
    assert.match(await page.getByLabel('Resolution').locator('option:checked').innerText(), /^native \(/);
    assert.match(await page.getByTestId('size-note').innerText(), /draws this size directly/);
    await page.getByLabel('Resolution').selectOption({ index: 1 });
    assert.match(await page.getByTestId('size-note').innerText(), /resized/);
    await page.getByLabel('Prompt').fill('a red apple left of a cat on a blue background');
    await page.getByLabel('Exact width and height').check();
    await page.getByLabel('Width', { exact: true }).fill('128');
    await page.getByLabel('Height', { exact: true }).fill('128');
    await page.getByLabel('Previews while working').selectOption('2');
    // Guidance starts empty (the model's own scale); a scale outside 0–30 is refused in the page,
    // one inside it is sent with the request.
    const guidanceInput = page.getByLabel('Guidance', { exact: true });
    assert.equal(await guidanceInput.getAttribute('placeholder'), 'model default (4)');
    await guidanceInput.fill('31');
    await page.getByText('guidance must be a number from 0 to 30').waitFor();
    assert.ok(await page.getByRole('button', { name: 'Generate', exact: true }).isDisabled());
    await guidanceInput.fill('5.5');
    const request = page.waitForRequest('**/v1/images/generations');
    await page.getByRole('button', { name: 'Generate', exact: true }).click();
    assert.equal((await request).postDataJSON().guidance, 5.5);
    await page.getByTestId('result').first().locator('img').waitFor();
    assert.equal(await page.getByTestId('result').count(), 1);
    assert.match(await page.getByTestId('previews').innerText(), /^2 previews/, 'the streamed partial images reached the page');
    await shot('1-generated');

    await page.getByTestId('result').getByRole('button', { name: 'Edit' }).click();
    await page.getByTestId('edit-image').waitFor();
    assert.match(await page.getByTestId('version').innerText(), /version 1 of 1/);

    // Paint a stroke across the upper left of the image with a wide brush.
    await page.getByLabel('Brush size').fill('120');
    const box = (await page.getByTestId('mask').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.1, box.y + box.height * 0.25);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.25, { steps: 8 });
    await page.mouse.up();
    const painted = await page.getByTestId('coverage').innerText();
    assert.match(painted, /% masked: inpainting/);
    // Invert twice is the same mask; once is its complement.
    await page.getByRole('button', { name: 'Invert mask' }).click();
    const inverted = Number(/([\d.]+)%/.exec(await page.getByTestId('coverage').innerText())![1]);
    assert.ok(Math.abs(inverted + Number(/([\d.]+)%/.exec(painted)![1]) - 100) < 0.2, `inverse coverage ${inverted}`);
    await page.getByRole('button', { name: 'Invert mask' }).click();
    assert.equal(await page.getByTestId('coverage').innerText(), painted);
    await shot('2-mask');

    await page.getByLabel('Instruction').fill('a yellow star');
    // Edits take a guidance scale too, sent in the multipart form (read from the page's fetch:
    // Chromium does not hand a multipart body holding a file to Playwright).
    await page.locator('section[aria-labelledby="edit-title"]').getByLabel('Guidance', { exact: true }).fill('2.5');
    await page.evaluate(() => {
      const win = globalThis as unknown as { fetch: typeof fetch; sentGuidance: unknown[] };
      const send = win.fetch;
      win.sentGuidance = [];
      win.fetch = (input, init) => {
        if (String(input).includes('/v1/images/edits') && init?.body instanceof FormData) win.sentGuidance.push(init.body.get('guidance'));
        return send(input, init);
      };
    });
    await page.getByRole('button', { name: 'Apply edit' }).click();
    await page.getByText('version 2 of 2').waitFor();
    assert.deepEqual(await page.evaluate(() => (globalThis as unknown as { sentGuidance: unknown[] }).sentGuidance), ['2.5']);

    // What the server stored: the edit's parent is the generation, made with a mask, same size,
    // and pixels far from the painted stroke kept exactly.
    const { items } = await (await fetch(`${server.url}/playground/api/history`)).json() as { items: Array<{ id: string; kind: string; parent?: string; params: { mask?: boolean; guidance?: number }; width: number; height: number }> };
    const [edited, generated] = items;
    assert.deepEqual([edited!.kind, generated!.kind, edited!.parent, edited!.params.mask], ['edit', 'generate', generated!.id, true]);
    assert.deepEqual([generated!.params.guidance, edited!.params.guidance], [5.5, 2.5]);
    const img = (id: string) => fetch(`${server.url}/playground/api/history/${id}/image`).then((r) => r.arrayBuffer()).then(decode);
    const [a, b] = await Promise.all([img(generated!.id), img(edited!.id)]);
    assert.deepEqual([b.width, b.height], [a.width, a.height]);
    let kept = 0, changed = 0, far = 0;
    for (let y = 0; y < a.height; y++) {
      for (let x = 0; x < a.width; x++) {
        const i = (y * a.width + x) * 3;
        const same = a.data[i] === b.data[i] && a.data[i + 1] === b.data[i + 1] && a.data[i + 2] === b.data[i + 2];
        if (y > a.height * 0.7 || x > a.width * 0.8) { far++; if (same) kept++; } else if (!same) changed++;
      }
    }
    assert.equal(kept, far, 'pixels away from the mask are unchanged');
    assert.ok(changed > 0, 'the masked area changed');

    await page.getByRole('button', { name: 'Undo' }).click();
    assert.match(await page.getByTestId('version').innerText(), /version 1 of 2/);
    assert.equal(await page.getByTestId('edit-image').getAttribute('data-id'), generated!.id);
    await page.getByRole('button', { name: 'Redo' }).click();
    assert.match(await page.getByTestId('version').innerText(), /version 2 of 2/);
    // The same from the keyboard.
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+z');
    assert.match(await page.getByTestId('version').innerText(), /version 1 of 2/);
    await page.keyboard.press('Control+Shift+Z');
    assert.equal(await page.getByTestId('edit-image').getAttribute('data-id'), edited!.id);

    await page.getByLabel('Compare with previous version').check();
    await page.getByTestId('compare').waitFor();
    await page.getByLabel('Before / after').fill('30');
    await shot('3-compare');
    // The painted mask survives comparing: recounted from the canvas, it is the same.
    await page.getByLabel('Compare with previous version').uncheck();
    await page.getByRole('button', { name: 'Invert mask' }).click();
    await page.getByRole('button', { name: 'Invert mask' }).click();
    assert.equal(await page.getByTestId('coverage').innerText(), painted);
  });

  it('holds a typed guidance scale to the range a fast Flash takes', async () => {
    // The tiny model has no Flash: the page is told of one distilled over [1, 10].
    const CONFIG = '**/playground/api/config';
    await page.route(CONFIG, async (route) => {
      const res = await route.fetch();
      await route.fulfill({ response: res, json: { ...await res.json(), guidance: { default: 3, fastRange: [1, 10] } } });
    });
    await page.goto(server.url);
    await page.getByLabel('Prompt').fill('a cup');
    await page.getByLabel('Quality').selectOption('low');
    assert.equal(await page.getByTestId('guidance-note').innerText(), 'fast mode accepts 1–10');
    await page.getByLabel('Guidance', { exact: true }).fill('12');
    await page.getByText(/^fast mode accepts guidance 1–10/).waitFor();
    const generate = page.getByRole('button', { name: 'Generate', exact: true });
    assert.ok(await generate.isDisabled());
    await shot('1b-guidance-range');
    // The full sampler takes any scale from 0 to 30.
    await page.getByLabel('Quality').selectOption('medium');
    assert.ok(await generate.isEnabled());
    assert.equal(await page.getByTestId('guidance-note').count(), 0);
    await page.unroute(CONFIG);
  });

  it('keeps the history across a reload and a server restart', async () => {
    await page.reload();
    await page.getByRole('tab', { name: 'History' }).click();
    await page.getByTestId('history-item').nth(1).waitFor();
    assert.deepEqual(await page.getByTestId('history-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-kind'))), ['edit', 'generate']);

    await server.stop();
    server = await startModelServer();
    await page.goto(server.url);
    await page.getByRole('tab', { name: 'History' }).click();
    await page.getByTestId('history-item').nth(1).waitFor();
    assert.equal(await page.getByTestId('history-item').count(), 2);
    await page.getByTestId('history-item').first().locator('img').waitFor();
    await shot('4-history-after-restart');
  });

  it('shows a refusal in words, not a blank result', async () => {
    await page.getByRole('tab', { name: 'Generate' }).click();
    await page.getByLabel('Prompt').fill('a naked woman on a bed');
    await page.getByLabel('Exact width and height').check();
    await page.getByLabel('Width', { exact: true }).fill('64');
    await page.getByLabel('Height', { exact: true }).fill('64');
    await page.getByLabel('Prompt').press('Control+Enter');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /Refused by the safety filter:.*content policy/i);
    assert.equal(await page.getByTestId('result').count(), 0);
    await shot('5-refusal');
  });

  it('votes in the arena and the leaderboard changes', async () => {
    await page.getByRole('tab', { name: 'Arena' }).click();
    const board = page.getByTestId('leaderboard');
    await board.waitFor();
    assert.match(await board.locator('caption').innerText(), /^0 votes/);
    await page.getByLabel(/^Topic/).selectOption('animals');
    assert.equal(await page.getByLabel(/^Topic/).locator('option', { hasText: 'people' }).count(), 0, 'no topics the model never saw');
    await page.getByRole('button', { name: 'Suggest a prompt' }).click();
    await page.waitForFunction("document.querySelector('textarea')?.value.endsWith('background')");
    assert.match(await page.getByLabel(/^Size/).locator('option:checked').innerText(), /\(native\)$/);
    await page.getByLabel('Arena prompt').fill('a green frog on a leaf');
    await page.getByRole('button', { name: 'New match' }).click();
    await page.getByTestId('arena-right').waitFor();
    assert.equal(await page.locator('.pair figcaption').count(), 0, 'no labels before the vote');
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('ArrowLeft');
    await page.getByText('Vote recorded: left.').waitFor();
    await page.getByText(/^1 vote /).waitFor();
    const records = await board.getByTestId('record').allInnerTexts();
    const sum = records.map((r) => r.split(' / ').map(Number)).reduce((s, [w, l, t]) => [s[0]! + w!, s[1]! + l!, s[2]! + t!], [0, 0, 0]);
    assert.deepEqual(sum, [1, 1, 0], 'one win and one loss');
    const ratings = await board.locator('tbody tr td:nth-child(3)').allInnerTexts();
    assert.notEqual(ratings[0], ratings[2], 'the winner now rates above the loser');
    assert.doesNotMatch(await page.locator('.panel').innerText(), /distilled/, 'plain few-step Euler is not called distilled');
    await page.getByLabel('Leaderboard topic').selectOption('lettering');
    await page.getByText(/^0 votes on lettering/).waitFor();
    await shot('6-arena');

    const exported = await (await fetch(`${server.url}/playground/api/arena/votes.jsonl`)).text();
    const votes = exported.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(votes.length, 1);
    assert.equal(votes[0].topic, 'animals');
    assert.equal(votes[0].winner, 'left');
    assert.notEqual(votes[0].left, votes[0].right);
  });

  it('works at phone width', async () => {
    const phone = await browser.newPage({ viewport: { width: 375, height: 800 } });
    try {
      for (const tab of ['Generate', 'Edit', 'History', 'Arena']) {
        await phone.goto(server.url);
        await phone.getByRole('tab', { name: tab }).click();
        await phone.getByRole('heading', { name: tab }).waitFor();
        const overflow = Number(await phone.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
        assert.ok(overflow <= 0, `${tab} is ${overflow}px wider than the phone`);
      }
      await phone.getByRole('tab', { name: 'History' }).click();
      await phone.screenshot({ path: join(ARTIFACTS, '7-phone-history.png'), fullPage: true });
    } finally {
      await phone.close();
    }
  });

  it('asks for an API key when the server has keys, and keeps it', async () => {
    const keyed = await startTestServer({ playground: { dir: join(dataDir, 'keyed') } }, { env: { FLOWPAINT_API_KEYS: 'fp-playground-key-0123456789' } });
    const context = await browser.newContext();
    const p = await context.newPage();
    try {
      assert.equal((await fetch(`${keyed.url}/playground/api/history`)).status, 401);
      await p.goto(keyed.url);
      await p.getByText('This server needs an API key.').waitFor();
      await p.getByLabel('API key').fill('not-the-key');
      await p.getByRole('button', { name: 'Use this key' }).click();
      await p.getByText(/The server refused the key: incorrect API key/).waitFor();
      await p.getByLabel('API key').fill('fp-playground-key-0123456789');
      await p.getByRole('button', { name: 'Use this key' }).click();
      await p.getByLabel('Prompt').fill('a blue square');
      await p.getByRole('button', { name: 'Generate', exact: true }).click();
      await p.getByTestId('result').first().locator('img').waitFor();
      await p.reload();
      await p.getByRole('tab', { name: 'History' }).click();
      await p.getByTestId('history-item').first().waitFor();
      assert.equal(await p.getByText('This server needs an API key.').count(), 0, 'the key was kept');
      await p.screenshot({ path: join(ARTIFACTS, '8-keyed.png'), fullPage: true });
    } finally {
      await context.close();
      await keyed.stop();
    }
  });

  it('compares several model folders blindly and shows the votes per pair', async () => {
    // The fake pipeline (named after its folder) stands in for the models: this is about the page.
    const models = join(dataDir, 'models');
    for (const m of ['shipped', 'candidate']) mkdirSync(join(models, m), { recursive: true });
    const multi = await startTestServer({ playground: { dir: join(dataDir, 'multi') }, arena: { models: [{ dir: join(models, 'shipped') }, { dir: join(models, 'candidate') }] } });
    const p = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    try {
      await multi.arenaReady;
      await p.goto(multi.url);
      await p.getByRole('tab', { name: 'Arena' }).click();
      await p.getByText(/made by two of the 3 models this server compares/).waitFor();
      await p.getByLabel(/^Topic/).selectOption('counting');
      await p.getByRole('button', { name: 'Suggest a prompt' }).click();
      await p.waitForFunction("/^(two|three|four) /.test(document.querySelector('textarea')?.value ?? '')");
      await p.getByRole('button', { name: 'New match' }).click();
      await p.getByTestId('arena-right').waitFor();
      await p.getByRole('button', { name: 'Tie' }).click();
      await p.getByText('Vote recorded: tie.').waitFor();
      const names = await p.locator('.pair figcaption').allInnerTexts();
      assert.equal(names.length, 2);
      assert.notEqual(names[0], names[1]);
      assert.ok(names.every((n) => ['fake@1', 'shipped@1', 'candidate@1'].includes(n)), names.join());
      const pair = await p.getByTestId('pairs').locator('tbody tr').allInnerTexts();
      assert.equal(pair.length, 1);
      assert.match(pair[0]!, /0\s+0\s+1$/);
      assert.equal(await p.getByTestId('leaderboard').locator('tbody tr').count(), 3);
      await p.screenshot({ path: join(ARTIFACTS, '9-arena-models.png'), fullPage: true });
    } finally {
      await p.close();
      await multi.stop();
    }
  });
});
