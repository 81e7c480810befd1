// npm run compare-evals -- A.json B.json
// Compares two `flowpaint eval SUITE --json FILE` results (or `eval all` files) item by item:
// the paired difference B − A with its 95% interval, the items each run alone got right, and an
// exact sign test, per suite and per category (src/eval/compare.ts). Both runs must have used the
// same prompt set, seed, n and size. Ends with one JSON line for scripts.
import { readFileSync } from 'node:fs';
import { compareRuns, describeComparison, suitesOf } from '../src/eval/compare.ts';

// A reader that stops early (`| head`) closes the pipe: that ends the output, not in a crash.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const files = process.argv.slice(2);
if (files.length !== 2 || files.some((f) => f === '--help' || f === '-h')) {
  process.stderr.write('usage: npm run compare-evals -- A.json B.json   (files written by flowpaint eval SUITE --json FILE)\n');
  process.exit(files.length === 2 ? 0 : 2);
}

function load(file: string) {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: cannot read it as JSON (${(err as Error).message})`);
  }
  try {
    return suitesOf(json);
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`);
  }
}

try {
  const [a, b] = files.map(load) as [ReturnType<typeof load>, ReturnType<typeof load>];
  const shared = a.filter((s) => b.some((t) => t.suite === s.suite));
  if (shared.length === 0) throw new Error(`${files[0]} and ${files[1]} share no suite`);
  // Checkpoints of one run often share an id and version: name each side by its file too.
  const comparisons = shared.map((s) => {
    const c = compareRuns(s, b.find((t) => t.suite === s.suite)!);
    return { ...c, a: { ...c.a, model: `${c.a.model} (${files[0]})` }, b: { ...c.b, model: `${c.b.model} (${files[1]})` } };
  });
  for (const c of comparisons) process.stdout.write(`${describeComparison(c)}\n`);
  process.stdout.write(`${JSON.stringify(comparisons)}\n`);
} catch (err) {
  process.stderr.write(`compare-evals: ${(err as Error).message}\n`);
  process.exit(2);
}
