// The model's evaluation against the CPU hours trained into it, as a table and a plot:
//
//   npx tsx scripts/training-curve.ts [--add ALL.json --model DIR --label TEXT --lineage NAME] [--points FILE] [--png FILE]
//
// --add: an `flowpaint eval all --json` result; with --model, the model directory it measured
//   (its config.json gives the cumulative CPU hours and samples: training.total). The point is
//   appended to --points (default docs/training-curve.json), replacing one with the same label;
//   points of one --lineage (a run and the runs continuing it with --init-from) are joined by lines.
// Then the plot (compose, edit, text and their mean against CPU hours) is drawn to --png (default
// docs/training-curve.png) and the points are printed as a Markdown table for EVALUATION.md.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import sharp from 'sharp';

interface Point {
  label: string;
  /** Points of one lineage (a run and the runs continuing it) are joined by lines. */
  lineage: string;
  date: string;
  cpuHours: number;
  samples: number;
  compose: number;
  edit: number;
  text: number;
  overall: number;
}

const { values } = parseArgs({
  options: {
    add: { type: 'string' },
    model: { type: 'string' },
    label: { type: 'string' },
    lineage: { type: 'string' },
    points: { type: 'string', default: 'docs/training-curve.json' },
    png: { type: 'string', default: 'docs/training-curve.png' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  process.stdout.write(`${readFileSync(new URL(import.meta.url), 'utf8').split('\n').filter((l) => l.startsWith('//')).map((l) => l.slice(3)).join('\n')}\n`);
  process.exit(0);
}

const points: Point[] = existsSync(values.points!) ? JSON.parse(readFileSync(values.points!, 'utf8')) : [];
if (values.add) {
  if (!values.model || !values.label || !values.lineage) fail('--add needs --model DIR (for its CPU hours), --label TEXT and --lineage NAME');
  points.splice(0, points.length, ...points.filter((p) => p.label !== values.label), pointFrom(values.add, values.model, values.label, values.lineage));
  points.sort((a, b) => a.cpuHours - b.cpuHours);
  writeFileSync(values.points!, `${JSON.stringify(points, null, 2)}\n`);
}
if (points.length === 0) fail(`no points in ${values.points} (add one with --add)`);
await sharp(Buffer.from(plotSvg(points))).png().toFile(values.png!);
console.log(`| model | lineage | CPU hours | samples | compose | edit | text | overall |\n| --- | --- | --- | --- | --- | --- | --- | --- |`);
for (const p of points) console.log(`| ${p.label} (${p.date}) | ${p.lineage} | ${p.cpuHours.toFixed(2)} | ${p.samples.toLocaleString('en-US')} | ${p.compose.toFixed(3)} | ${p.edit.toFixed(3)} | ${p.text.toFixed(3)} | ${p.overall.toFixed(3)} |`);
console.log(`plot: ${values.png}`);

function fail(message: string): never {
  process.stderr.write(`training-curve: ${message}\n`);
  process.exit(2);
}

function pointFrom(allJson: string, modelDir: string, label: string, lineage: string): Point {
  const all = JSON.parse(readFileSync(allJson, 'utf8'));
  if (all.suite !== 'all' || !all.categories) fail(`${allJson} is not an \`eval all --json\` result`);
  const config = JSON.parse(readFileSync(`${modelDir}/config.json`, 'utf8'));
  const total = config.info?.training?.total;
  if (!total) fail(`${modelDir}/config.json records no info.training.total (export the run with flowpaint export)`);
  const score = (suite: string) => {
    const v = all.categories[suite];
    if (typeof v !== 'number') fail(`${allJson} has no ${suite} score`);
    return v;
  };
  return {
    label,
    lineage,
    date: new Date().toISOString().slice(0, 10),
    cpuHours: total.cpu_hours,
    samples: total.samples,
    compose: score('compose'),
    edit: score('edit'),
    text: score('text'),
    overall: all.overall,
  };
}

/** A line chart: x = CPU hours, y = score in [0, 1], one line per suite, the floors as dashes. */
function plotSvg(pts: Point[]): string {
  const W = 720;
  const H = 420;
  const m = { left: 60, right: 150, top: 30, bottom: 50 };
  const xMax = Math.max(1, ...pts.map((p) => p.cpuHours)) * 1.05;
  const yMax = Math.max(0.1, Math.min(1, Math.max(...pts.flatMap((p) => [p.compose, p.edit, p.text])) * 1.2));
  const x = (v: number) => m.left + (v / xMax) * (W - m.left - m.right);
  const y = (v: number) => H - m.bottom - (v / yMax) * (H - m.top - m.bottom);
  const series: [keyof Point, string][] = [['compose', '#d62728'], ['edit', '#1f77b4'], ['text', '#2ca02c'], ['overall', '#333333']];
  const parts: string[] = [`<rect width="${W}" height="${H}" fill="white"/>`];
  for (let i = 0; i <= 4; i++) {
    const v = (yMax * i) / 4;
    parts.push(`<line x1="${m.left}" x2="${W - m.right}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`);
    parts.push(`<text x="${m.left - 8}" y="${y(v) + 4}" font-size="12" text-anchor="end" font-family="sans-serif">${v.toFixed(yMax < 0.2 ? 3 : 2)}</text>`);
  }
  for (let i = 0; i <= 5; i++) {
    const v = (xMax * i) / 5;
    parts.push(`<text x="${x(v)}" y="${H - m.bottom + 18}" font-size="12" text-anchor="middle" font-family="sans-serif">${v.toFixed(1)}</text>`);
  }
  parts.push(`<text x="${(m.left + W - m.right) / 2}" y="${H - 10}" font-size="13" text-anchor="middle" font-family="sans-serif">CPU hours of training in the weights</text>`);
  parts.push(`<text x="${W / 2 - 40}" y="18" font-size="14" text-anchor="middle" font-family="sans-serif">flowpaint-small: eval all at defaults</text>`);
  const lineages = [...new Set(pts.map((p) => p.lineage))];
  series.forEach(([key, color], i) => {
    for (const lineage of lineages) {
      const line = pts.filter((p) => p.lineage === lineage);
      const d = line.map((p, j) => `${j === 0 ? 'M' : 'L'}${x(p.cpuHours).toFixed(1)},${y(p[key] as number).toFixed(1)}`).join(' ');
      if (line.length > 1) parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2"/>`);
    }
    for (const p of pts) parts.push(`<circle cx="${x(p.cpuHours)}" cy="${y(p[key] as number)}" r="3.5" fill="${color}"/>`);
    parts.push(`<line x1="${W - m.right + 15}" x2="${W - m.right + 40}" y1="${m.top + 20 * i}" y2="${m.top + 20 * i}" stroke="${color}" stroke-width="2"/>`);
    parts.push(`<text x="${W - m.right + 46}" y="${m.top + 20 * i + 4}" font-size="12" font-family="sans-serif">${key}</text>`);
  });
  parts.push(`<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${H - m.bottom}" stroke="#333"/>`);
  parts.push(`<line x1="${m.left}" x2="${W - m.right}" y1="${H - m.bottom}" y2="${H - m.bottom}" stroke="#333"/>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">${parts.join('')}</svg>`;
}
