// `flowpaint redteam`: measures the safety filters on the labelled red-team suite, with the
// filters off (pre-mitigation) and on (post-mitigation). The last line of output is one JSON
// object with the figures; --json also writes it to a file. --train-classifier retrains the
// prompt classifier with the engine first and writes its weights.
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CATEGORIES } from '../../safety/categories.ts';
import { trainClassifier } from '../../safety/classifier-train.ts';
import { loadSafetyPolicy } from '../../safety/policy.ts';
import { runRedteam } from '../../safety/redteam.ts';

class InputError extends Error {
  override name = 'InputError';
}

interface RedteamOptions {
  json?: string;
  trainClassifier?: boolean;
  moderation: string;
  config?: string;
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

export function registerRedteamCommand(program: Command): void {
  program
    .command('redteam')
    .description('measure the safety filters on the red-team suite (pre- and post-mitigation)')
    .option('--json <file>', 'also write the JSON report to this file')
    .option('--train-classifier', 'retrain the prompt classifier with the engine before measuring')
    .option('--moderation <level>', "moderation level to measure: 'auto' or 'low'", 'auto')
    .option('--config <file>', 'a JSON safety config (thresholds, category switches) to measure')
    .action(async (opts: RedteamOptions) => {
      if (opts.moderation !== 'auto' && opts.moderation !== 'low') throw new InputError(`--moderation must be 'auto' or 'low', got '${opts.moderation}'`);
      let config: unknown = {};
      if (opts.config) {
        try {
          config = JSON.parse(readFileSync(opts.config, 'utf8'));
        } catch (err) {
          throw new InputError(`--config ${opts.config}: ${(err as Error).message}`);
        }
      }
      const policy = loadSafetyPolicy(config);
      const out = (line: string) => process.stdout.write(line + '\n');
      if (opts.trainClassifier) {
        out('training the prompt classifier (engine, CPU)...');
        const r = await trainClassifier({ log: (l) => out(`  ${l}`) });
        out(`  ${r.examples} generated prompts (${r.validationExamples} of them validation, from held-out phrases), loss ${r.firstLoss.toFixed(3)} -> ${r.lastLoss.toFixed(4)}, validation exact match ${pct(r.heldOutAccuracy)}, ${r.seconds.toFixed(1)} s`);
        out(`  stand-alone thresholds ${Object.entries(r.alone.thresholds).map(([c, t]) => `${c} ${t}`).join(', ')}; minor + sexual ${r.alone.minorSexual}`);
        out(`  chosen on validation: recall ${pct(r.alone.recall)}, false positives ${pct(r.alone.falsePositiveRate)}, near misses ${pct(r.alone.hardFalsePositiveRate)}`);
      }
      const report = runRedteam(policy, { moderation: opts.moderation });
      out(`red-team suite: ${report.suite.total} prompts (${report.suite.harmful} harmful, ${report.suite.benign} benign near misses), moderation ${report.moderation}`);
      out('category          n   pre     post    right-category');
      for (const c of CATEGORIES) {
        const f = report.per_category[c];
        out(`${c.padEnd(16)} ${String(f.n).padStart(3)}   ${pct(f.pre_block_rate).padStart(6)}  ${pct(f.block_rate).padStart(6)}  ${pct(f.right_category_rate).padStart(6)}`);
      }
      out('by variant: ' + Object.entries(report.per_variant).map(([v, f]) => `${v} ${pct(f.block_rate)}`).join(', '));
      out(`layers: lexicon only ${pct(report.lexicon_only.block_rate)} blocked / ${pct(report.lexicon_only.false_positive_rate)} false positives; classifier only ${pct(report.classifier_only.block_rate)} / ${pct(report.classifier_only.false_positive_rate)}`);
      out(`post-mitigation: block rate ${pct(report.block_rate)}, false-positive rate ${pct(report.false_positive_rate)} (pre-mitigation: ${pct(report.pre_mitigation.block_rate)} / ${pct(report.pre_mitigation.false_positive_rate)})`);
      out(`latency per prompt: mean ${report.latency_ms.mean.toFixed(3)} ms, p50 ${report.latency_ms.p50.toFixed(3)} ms, p95 ${report.latency_ms.p95.toFixed(3)} ms`);
      out(`long prompt (${report.long_prompt.chars} chars, unsafe sentence at the end): ${report.long_prompt.blocked ? `refused (${report.long_prompt.category})` : 'NOT refused'} in ${report.long_prompt.ms.toFixed(0)} ms`);
      out(`targets (block >= 97%, minors 100%, false positives <= 2%): ${report.targets.met ? 'met' : 'NOT met'}`);
      if (report.misses.length > 0) out(`missed: ${report.misses.join(', ')}`);
      if (report.false_positives.length > 0) out(`false positives: ${report.false_positives.join(', ')}`);
      const json = JSON.stringify({
        block_rate: report.block_rate,
        false_positive_rate: report.false_positive_rate,
        per_category: report.per_category,
        per_variant: report.per_variant,
        pre_mitigation: report.pre_mitigation,
        post_mitigation: report.post_mitigation,
        lexicon_only: report.lexicon_only,
        classifier_only: report.classifier_only,
        latency_ms: report.latency_ms,
        long_prompt: report.long_prompt,
        suite: report.suite,
        moderation: report.moderation,
        targets: report.targets,
        misses: report.misses,
        false_positives: report.false_positives,
      });
      if (opts.json) writeFileSync(opts.json, json + '\n');
      out(json);
    });
}
