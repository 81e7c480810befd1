// `npm run bench -- judges [--n N] [--suites compose,edit,text] [--scorer DIR] [--failures]`:
// how far each eval judge can be trusted, on the suites' own prompt sets at 128×128 — its pass
// rate on ground truth (the ceiling a perfect model reaches) and on deliberately wrong pictures
// (its false passes; src/eval/judges.ts). No model is needed. Prints tables, with --failures
// every miss and false pass, then one JSON line.
import { Scorer, DEFAULT_SCORER_DIR } from '../src/eval/scorer/scorer.ts';
import { judgeCompose, judgeEdit, judgeText, type JudgeQuality } from '../src/eval/judges.ts';
import { table } from '../src/eval/result.ts';
import { option } from './lib/util.ts';

const SUITES = ['compose', 'edit', 'text'] as const;

export async function run(args: string[]): Promise<void> {
  const n = Number(option(args, '--n') ?? 20);
  if (!Number.isInteger(n) || n < 2) throw new Error(`--n must be an integer of at least 2, got ${option(args, '--n')}`);
  const suites = (option(args, '--suites') ?? SUITES.join(',')).split(',');
  for (const s of suites) if (!SUITES.includes(s as (typeof SUITES)[number])) throw new Error(`unknown suite '${s}' (choose from ${SUITES.join(', ')})`);
  const size = { n, width: 128, height: 128 };
  const scorer = await Scorer.load(option(args, '--scorer') ?? DEFAULT_SCORER_DIR);
  const results: JudgeQuality[] = [];
  try {
    if (suites.includes('compose')) results.push(await judgeCompose(scorer, size));
    if (suites.includes('edit')) results.push(await judgeEdit(scorer, size));
    if (suites.includes('text')) results.push(await judgeText(size));
  } finally {
    await scorer.release();
  }
  for (const r of results) {
    process.stdout.write(`\n${r.suite} (n = ${n} per category)\n`);
    const rows: (string | number)[][] = Object.entries(r.ceiling).map(([k, v]) => [k, v]);
    rows.push(['overall', r.ceilingOverall]);
    process.stdout.write(`${table(['ground truth', 'pass rate'], rows)}\n`);
    const frows: (string | number)[][] = Object.entries(r.falsePass).map(([k, v]) => [k, v.n, v.rate]);
    frows.push(['all wrong pictures', '', r.falsePassOverall]);
    process.stdout.write(`${table(['wrong picture', 'n', 'false passes'], frows)}\n`);
    if (args.includes('--failures')) for (const f of r.failures) process.stdout.write(`  ${f.id} [${f.probe}] "${f.what}": ${f.why}\n`);
  }
  const json = Object.fromEntries(results.map((r) => [r.suite, { ceiling: r.ceiling, ceilingOverall: r.ceilingOverall, falsePass: r.falsePass, falsePassOverall: r.falsePassOverall }]));
  process.stdout.write(`${JSON.stringify({ bench: 'judges', n, scorer: scorer.card?.version ?? null, ...json })}\n`);
}
