// `npm run bench -- coldstart [--runs 5] [--model DIR] [--prompt TEXT] [--compare CHECKOUT] [--jobs N]`:
// whole-process times of the flowpaint command, from spawn to exit (PNG on disk for generate),
// median of N runs each: `--help`, `generate` at the model's native size (20 steps), `generate
// --fast` (Flash when the model has it, else 4 plain steps), and `generate --fast` on an empty
// graph cache (the first run after install or after the weights or the code changed: every graph
// is built and written to the cache). Wall time is what a user waits; CPU time (user + system of
// the child, from /proc on Linux) is the figure that stays comparable on a busy machine.
//
// The runs use a graph cache of their own (FLOWPAINT_CACHE in a temporary folder, filled by one
// untimed run first), so the figures do not depend on what ~/.cache holds.
//
// `--compare CHECKOUT` also runs another checkout's bin/flowpaint.js (say, a `git worktree` of an
// older commit, with node_modules), alternating run by run with this one, and prints the ratio of
// the medians: on a loaded machine the ratio holds when the absolute seconds do not.
//
// `--jobs N` runs up to N of a row's processes at once (default 1). For a machine whose cores are
// taken by other work at a higher priority, where one process at a time would take hours: each
// child's CPU time is then read from its /proc entry while it runs (the last reading before it
// exits), and its wall time is not what a user waits, so only the CPU columns and ratios compare.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, option } from './lib/util.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

/** CPU seconds of this process's waited-for children (cutime + cstime), or NaN off Linux. */
function childCpuSeconds(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 16 and 17 of stat (1-based) are cutime and cstime; the slice starts at field 3.
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return NaN;
  }
}

/** CPU seconds of a running process, its threads and its waited-for children (utime + stime + cutime + cstime), or undefined once it is gone. */
function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14–17 of stat (1-based): utime, stime, cutime, cstime.
    const ticks = fields.slice(11, 15).map(Number);
    return ticks.every(Number.isFinite) ? ticks.reduce((a, b) => a + b, 0) / 100 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One run of `bin args`. `concurrent`: other runs may end meanwhile, so this process's own CPU
 * time is sampled from /proc every 20 ms instead of taken from this process's children's total.
 */
async function once(bin: string, args: string[], cacheDir: string, concurrent = false): Promise<{ wall: number; cpu: number }> {
  const cpu0 = childCpuSeconds();
  const t0 = performance.now();
  let sampled = NaN;
  await new Promise<void>((done, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, FLOWPAINT_CACHE: cacheDir } });
    const timer = concurrent ? setInterval(() => (sampled = processCpuSeconds(child.pid!) ?? sampled), 20) : undefined;
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('exit', (c) => {
      clearInterval(timer);
      return c === 0 ? done() : reject(new Error(`flowpaint ${args.join(' ')} exited ${c}: ${err.trim()}`));
    });
  });
  return { wall: (performance.now() - t0) / 1000, cpu: concurrent ? sampled : childCpuSeconds() - cpu0 };
}

/** Runs `tasks` with at most `jobs` at a time. */
async function pool(tasks: (() => Promise<void>)[], jobs: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) await tasks[next++]!();
  };
  await Promise.all(Array.from({ length: Math.min(jobs, tasks.length) }, worker));
}


interface Case {
  key: string;
  label: string;
  args: string[];
  /** Each run on an empty graph cache. */
  emptyCache?: boolean;
}

export async function run(args: string[]): Promise<void> {
  const runs = Number(option(args, '--runs') ?? 5);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got ${option(args, '--runs')}`);
  const model = option(args, '--model');
  const prompt = option(args, '--prompt') ?? 'a red apple left of a cat on a blue background';
  const compare = option(args, '--compare');
  const jobs = Number(option(args, '--jobs') ?? 1);
  if (!Number.isInteger(jobs) || jobs < 1) throw new Error(`--jobs must be a positive integer, got ${option(args, '--jobs')}`);
  const concurrent = jobs > 1;
  const bins: { name: string; bin: string }[] = [{ name: 'this', bin: join(root, 'bin', 'flowpaint.js') }];
  if (compare) {
    const other = join(resolve(compare), 'bin', 'flowpaint.js');
    if (!existsSync(other)) throw new Error(`--compare ${compare}: no bin/flowpaint.js there`);
    bins.unshift({ name: 'compare', bin: other });
  }
  const dir = mkdtempSync(join(os.tmpdir(), 'flowpaint-coldstart-'));
  const out = join(dir, 'out.png');
  const modelArgs = model ? ['--model', model] : [];
  const flash = existsSync(join(model ?? join(root, 'models', 'default'), 'flash.safetensors'));
  const generate = ['generate', prompt, '--seed', '1', '-o', out, ...modelArgs];
  const cases: Case[] = [
    { key: 'help', label: 'flowpaint --help', args: ['--help'] },
    { key: 'generate', label: 'generate (native size, 20 steps)', args: generate },
    { key: 'generate_fast', label: `generate --fast (${flash ? 'Flash' : 'no Flash: 4 plain steps'})`, args: [...generate, '--fast'] },
    { key: 'generate_fast_empty_cache', label: 'generate --fast, empty graph cache', args: [...generate, '--fast'], emptyCache: true },
  ];
  console.log(`cold start — whole process, median of ${runs}; ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, load ${os.loadavg()[0]!.toFixed(1)}`);
  if (concurrent) console.log(`${jobs} processes at a time: wall times overlap, compare the CPU columns`);
  if (compare) console.log(`compare = ${resolve(compare)}; this = ${root}; runs alternate between the two`);
  const header = bins.map((b) => `${`${b.name} wall s`.padStart(16)} ${`${b.name} cpu s`.padStart(15)}`).join(' ');
  console.log(`${'command'.padEnd(40)} ${header}${compare ? `  ${'wall ratio'.padStart(10)} ${'cpu ratio'.padStart(9)}` : ''}`);
  const result: Record<string, number | boolean> = { runs, flash, jobs };
  const warm = bins.map(() => mkdtempSync(join(dir, 'cache-')));
  try {
    // Fill each checkout's graph cache once, untimed.
    await pool(
      bins.map((b, i) => () => once(b.bin, [...generate, '--fast'], warm[i]!).then(() => once(b.bin, generate, warm[i]!)).then(() => {})),
      jobs,
    );
    for (const c of cases) {
      const walls = bins.map((): number[] => []);
      const cpus = bins.map((): number[] => []);
      const tasks: (() => Promise<void>)[] = [];
      for (let r = 0; r < runs; r++) {
        for (const [i, b] of bins.entries()) {
          tasks.push(async () => {
            // Concurrent runs each write a file of their own.
            const png = concurrent ? join(dir, `out-${r}-${i}.png`) : out;
            const argv = concurrent ? c.args.map((a) => (a === out ? png : a)) : c.args;
            rmSync(png, { force: true });
            const cache = c.emptyCache ? mkdtempSync(join(dir, 'empty-')) : warm[i]!;
            const t = await once(b.bin, argv, cache, concurrent);
            if (c.emptyCache) rmSync(cache, { recursive: true, force: true });
            if (c.key !== 'help' && !existsSync(png)) throw new Error(`${c.label}: no PNG was written`);
            walls[i]!.push(t.wall);
            cpus[i]!.push(t.cpu);
          });
        }
      }
      await pool(tasks, jobs);
      const cols = bins.map((b, i) => {
        const prefix = b.name === 'this' ? '' : `${b.name}_`;
        result[`${prefix}${c.key}_wall_s`] = +median(walls[i]!).toFixed(2);
        result[`${prefix}${c.key}_cpu_s`] = +median(cpus[i]!).toFixed(2);
        return `${median(walls[i]!).toFixed(2).padStart(16)} ${median(cpus[i]!).toFixed(2).padStart(15)}`;
      });
      let ratio = '';
      if (compare) {
        const rw = median(walls[1]!) / median(walls[0]!);
        const rc = median(cpus[1]!) / median(cpus[0]!);
        result[`${c.key}_wall_ratio`] = +rw.toFixed(3);
        result[`${c.key}_cpu_ratio`] = +rc.toFixed(3);
        ratio = `  ${rw.toFixed(2).padStart(10)} ${rc.toFixed(2).padStart(9)}`;
      }
      console.log(`${c.label.padEnd(40)} ${cols.join(' ')}${ratio}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(JSON.stringify(result));
}
