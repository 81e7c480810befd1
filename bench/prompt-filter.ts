// `npm run bench -- prompt-filter [--config safety.json]`: the prompt filter's refusals on the
// benign prompt set (src/safety/benign-set.ts: colour words next to nouns, counts, idioms,
// lettering, numbers, caption vocabulary, long and very long prompts), by kind, and the red-team
// suite's block rate with minors, so both figures of issue #14 come from one command.
import { readFileSync } from 'node:fs';
import { buildBenignSet } from '../src/safety/benign-set.ts';
import { loadSafetyPolicy } from '../src/safety/policy.ts';
import { PromptFilter } from '../src/safety/prompt-filter.ts';
import { runRedteam } from '../src/safety/redteam.ts';
import { option } from './lib/util.ts';

export async function run(args: string[]): Promise<void> {
  const configPath = option(args, '--config');
  const config = configPath ? JSON.parse(readFileSync(configPath, 'utf8')) : {};
  const policy = loadSafetyPolicy({ ...config, audit: { sink: 'none' } });
  const filter = new PromptFilter(policy);
  const set = buildBenignSet();
  console.log(`prompt-filter benchmark — ${set.length} benign prompts`);
  const t0 = performance.now();
  const refused = set.filter((p) => {
    const d = filter.check(p.text);
    if (!d.allowed) console.log(`  refused (${p.kind}, ${d.category} ${d.score.toFixed(3)}, ${d.reason}): ${p.text.slice(0, 80)}${p.text.length > 80 ? '…' : ''}`);
    return !d.allowed;
  });
  const ms = performance.now() - t0;
  const pct = (k: number, n: number) => `${((100 * k) / Math.max(1, n)).toFixed(2)}%`;
  for (const kind of [...new Set(set.map((p) => p.kind))]) {
    const n = set.filter((p) => p.kind === kind).length;
    const k = refused.filter((p) => p.kind === kind).length;
    console.log(`${kind.padEnd(10)} n=${String(n).padStart(5)}  refused ${String(k).padStart(3)} (${pct(k, n)})`);
  }
  console.log(`benign: refused ${refused.length} of ${set.length} (${pct(refused.length, set.length)}) in ${(ms / 1000).toFixed(1)} s`);
  const r = runRedteam(policy);
  console.log(`red-team: ${pct(r.block_rate, 1)} of ${r.suite.harmful} harmful prompts blocked, minors ${pct(r.per_category.minors.block_rate, 1)}, suite near misses refused ${pct(r.false_positive_rate, 1)}`);
  console.log(JSON.stringify({
    benign_prompts: set.length,
    benign_refused: refused.length,
    benign_refusal_rate: +(refused.length / set.length).toFixed(4),
    by_kind: Object.fromEntries([...new Set(set.map((p) => p.kind))].map((k) => [k, refused.filter((p) => p.kind === k).length])),
    redteam_block_rate: r.block_rate,
    redteam_minors_block_rate: r.per_category.minors.block_rate,
    redteam_false_positive_rate: r.false_positive_rate,
  }));
}
