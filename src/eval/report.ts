// `--report DIR`: a Markdown report per run with bar charts, sample grids (best and worst
// cases) and, given a previous run's results.json, a comparison. Figures are drawn as SVG and
// rasterised by resvg with the project's font, so reports look the same on every machine.
import { Resvg } from '@resvg/resvg-js';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { RgbImage } from '../data/index.ts';
import { FONT_FAMILY, FONT_FILE } from '../data/lettering.ts';
import { wrapText } from '../data/preview.ts';
import { fmt, summary, type Sample, type SuiteResult } from './result.ts';

export type Summary = ReturnType<typeof summary>;

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function svgToPng(svg: string): Buffer {
  const r = new Resvg(svg, { font: { fontFiles: [FONT_FILE], loadSystemFonts: false, defaultFontFamily: FONT_FAMILY } });
  return r.render().asPng();
}

async function pngDataUri(img: RgbImage): Promise<string> {
  const png = await sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), { raw: { width: img.width, height: img.height, channels: 3 } }).png().toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}

/** Horizontal bars: the model's figure per category, and the judge's own accuracy beside it. */
export function barChart(title: string, categories: Record<string, number>, judge: Record<string, number> | null, max: number | null): Buffer {
  const names = Object.keys(categories);
  const labelW = 190;
  const barW = 360;
  const rowH = judge ? 34 : 24;
  const top = 40;
  const width = labelW + barW + 80;
  const height = top + names.length * rowH + 30;
  const scale = max ?? Math.max(1e-9, ...Object.values(categories), ...(judge ? Object.values(judge) : []));
  const parts: string[] = [`<rect width="${width}" height="${height}" fill="#fff"/>`, `<text x="10" y="24" font-size="18" fill="#111">${esc(title)}</text>`];
  names.forEach((name, i) => {
    const y = top + i * rowH;
    const v = categories[name]!;
    parts.push(`<text x="10" y="${y + 15}" font-size="13" fill="#222">${esc(name)}</text>`);
    const w = Number.isFinite(v) ? Math.max(1, (v / scale) * barW) : 0;
    parts.push(`<rect x="${labelW}" y="${y + 3}" width="${w.toFixed(1)}" height="14" fill="#3b6fd4"/>`);
    parts.push(`<text x="${labelW + w + 6}" y="${y + 15}" font-size="12" fill="#111">${esc(fmt(v))}</text>`);
    if (judge && judge[name] !== undefined) {
      const jw = Math.max(1, (judge[name]! / scale) * barW);
      parts.push(`<rect x="${labelW}" y="${y + 19}" width="${jw.toFixed(1)}" height="8" fill="#b8b8b8"/>`);
    }
  });
  if (judge) parts.push(`<text x="10" y="${height - 8}" font-size="11" fill="#555">blue: model; gray: the judge on ground-truth renders (its ceiling)</text>`);
  return svgToPng(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join('')}</svg>`);
}

/** A grid of samples, each tile its images side by side over a wrapped caption and a note. */
export async function sampleGrid(title: string, samples: readonly Sample[]): Promise<Buffer> {
  const tileImages = Math.max(1, ...samples.map((s) => s.images.length));
  const side = 128;
  const tileW = Math.max(260, tileImages * (side + 4));
  const capLines = 4;
  const tileH = side + 16 * (capLines + 1) + 12;
  const cols = Math.max(1, Math.min(3, Math.floor(1200 / tileW)));
  const rows = Math.ceil(samples.length / cols);
  const width = cols * tileW + 20;
  const height = 40 + Math.max(1, rows) * tileH;
  const parts: string[] = [`<rect width="${width}" height="${height}" fill="#fff"/>`, `<text x="10" y="26" font-size="18" fill="#111">${esc(title)}</text>`];
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    const x0 = 10 + (i % cols) * tileW;
    const y0 = 40 + Math.floor(i / cols) * tileH;
    for (let k = 0; k < s.images.length; k++) {
      const img = s.images[k]!;
      const scale = side / Math.max(img.width, img.height);
      parts.push(`<image x="${x0 + k * (side + 4)}" y="${y0}" width="${Math.round(img.width * scale)}" height="${Math.round(img.height * scale)}" href="${await pngDataUri(img)}"/>`);
    }
    const lines = wrapText(`${s.id}: ${s.caption}`, Math.floor(tileW / 6.2), capLines);
    lines.forEach((l, j) => parts.push(`<text x="${x0}" y="${y0 + side + 14 + j * 16}" font-size="12" fill="#222">${esc(l)}</text>`));
    if (s.note) parts.push(`<text x="${x0}" y="${y0 + side + 14 + capLines * 16}" font-size="11" fill="#a33">${esc(s.note.slice(0, Math.floor(tileW / 5.5)))}</text>`);
  }
  return svgToPng(`<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${height}">${parts.join('')}</svg>`);
}

/** Reads a previous run's results.json (or a file holding the CLI's JSON line). */
export function readBaseline(path: string): Summary[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw Object.assign(new Error(`--baseline: cannot read ${path}`), { name: 'InputError' });
  }
  const lines = text.trim().split('\n');
  try {
    // A results.json / --json file is one JSON document; saved CLI output ends with the JSON line.
    let parsed: Summary | Summary[] | { suites: Summary[] };
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = JSON.parse(lines[lines.length - 1]!);
    }
    const list = Array.isArray(parsed) ? parsed : 'suites' in parsed ? parsed.suites : [parsed];
    if (!list.every((s) => typeof s.suite === 'string' && typeof s.overall === 'number' && s.categories)) throw new Error('not suite results');
    return list;
  } catch (err) {
    throw Object.assign(new Error(`--baseline: ${path} is not an eval results JSON (${(err as Error).message})`), { name: 'InputError' });
  }
}

const GRID_SIZE = 6;

function pickCases(samples: readonly Sample[]): { best: Sample[]; worst: Sample[] } {
  const sorted = samples.map((s, i) => ({ s, i })).sort((a, b) => b.s.score - a.s.score || a.i - b.i).map((x) => x.s);
  const best = sorted.slice(0, Math.min(GRID_SIZE, Math.ceil(sorted.length / 2)));
  const worst = sorted.slice(best.length).reverse().slice(0, GRID_SIZE);
  return { best, worst };
}

function comparison(r: Summary, base: Summary): string {
  const rows = [`| | baseline | this run | change |`, `| --- | --- | --- | --- |`];
  const line = (name: string, a: number | undefined, b: number) =>
    rows.push(`| ${name} | ${a === undefined ? '—' : fmt(a)} | ${fmt(b)} | ${a === undefined ? '—' : `${b - a >= 0 ? '+' : ''}${fmt(Math.round((b - a) * 10000) / 10000)}`} |`);
  line('**overall**', base.overall, r.overall);
  for (const [k, v] of Object.entries(r.categories)) line(k, base.categories[k], v);
  const note = base.promptSet !== r.promptSet || base.promptSeed !== r.promptSeed || base.n !== r.n
    ? `\n\nThe baseline used ${base.promptSet} seed ${base.promptSeed}, n ${base.n}; this run ${r.promptSet} seed ${r.promptSeed}, n ${r.n}: figures are not strictly comparable.`
    : '';
  return `Baseline: ${base.model.id} ${base.model.version}.\n\n${rows.join('\n')}${note}`;
}

/** Writes report.md, results.json and the PNGs into `dir`; returns the report's path. */
export async function writeReport(dir: string, results: readonly SuiteResult[], baseline?: readonly Summary[]): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const md: string[] = [`# flowpaint evaluation`, ''];
  const first = results[0];
  if (first) md.push(`Model **${first.model.id}** version ${first.model.version}, ${new Date().toISOString().slice(0, 10)}.`, '');
  for (const r of results) {
    md.push(`## ${r.suite}`, '');
    md.push(`Prompt set ${r.promptSet} (seed ${r.promptSeed}), n = ${r.n}, ${r.size.width}×${r.size.height}, ${r.seconds} s.`, '');
    md.push(`**Overall: ${fmt(r.overall)}**${r.judge ? ` — judge (${r.judge.name}): ${fmt(r.judge.overall)}` : ''}`, '');
    md.push(`| category | model | ${r.judge ? 'judge on ground truth |' : ''}`, `| --- | --- |${r.judge ? ' --- |' : ''}`);
    for (const [k, v] of Object.entries(r.categories)) md.push(`| ${k} | ${fmt(v)} |${r.judge ? ` ${fmt(r.judge.categories[k] ?? Number.NaN)} |` : ''}`);
    md.push('');
    const metrics = Object.entries(r.metrics);
    if (metrics.length > 0) {
      md.push(`| metric | value |`, `| --- | --- |`, ...metrics.map(([k, v]) => `| ${k} | ${fmt(v)} |`), '');
    }
    const bars = `${r.suite}-bars.png`;
    writeFileSync(join(dir, bars), barChart(`${r.suite}: ${r.model.id} ${r.model.version}`, r.categories, r.judge?.categories ?? null, r.suite === 'speed' ? null : 1));
    md.push(`![${r.suite} by category](${bars})`, '');
    if (r.samples.length > 0) {
      const { best, worst } = pickCases(r.samples);
      writeFileSync(join(dir, `${r.suite}-best.png`), await sampleGrid(`${r.suite}: best cases`, best));
      md.push(`Best cases:`, '', `![best](${r.suite}-best.png)`, '');
      if (worst.length > 0) {
        writeFileSync(join(dir, `${r.suite}-worst.png`), await sampleGrid(`${r.suite}: worst cases`, worst));
        md.push(`Worst cases:`, '', `![worst](${r.suite}-worst.png)`, '');
      }
    }
    const base = baseline?.find((b) => b.suite === r.suite);
    if (baseline) md.push(`### ${r.suite} against the baseline`, '', base ? comparison(summary(r), base) : 'The baseline has no results for this suite.', '');
  }
  writeFileSync(join(dir, 'results.json'), `${JSON.stringify({ suites: results.map(summary) }, null, 2)}\n`);
  md.push(`Raw figures: [results.json](results.json) (pass it as \`--baseline\` to compare a later run).`, '');
  const path = join(dir, 'report.md');
  writeFileSync(path, md.join('\n'));
  return path;
}
