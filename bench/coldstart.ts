// `npm run bench -- coldstart [--runs 5] [--model DIR]`: whole-process times of the flowpaint
// command, from spawn to exit (PNG on disk for generate), median of N runs each: `--help`,
// `generate` at the model's native size (20 steps) and `generate --fast` (Flash when the model
// has it, else 4 plain steps). Wall time is what a user waits; CPU time (user + system of the
// child, from /proc on Linux) is the figure that stays comparable on a busy machine.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { option } from './lib/util.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'flowpaint.js');

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

async function once(args: string[]): Promise<{ wall: number; cpu: number }> {
  const cpu0 = childCpuSeconds();
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('exit', (c) => (c === 0 ? resolve() : reject(new Error(`flowpaint ${args.join(' ')} exited ${c}: ${err.trim()}`))));
  });
  return { wall: (performance.now() - t0) / 1000, cpu: childCpuSeconds() - cpu0 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function run(args: string[]): Promise<void> {
  const runs = Number(option(args, '--runs') ?? 5);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got ${option(args, '--runs')}`);
  const model = option(args, '--model');
  const dir = mkdtempSync(join(os.tmpdir(), 'flowpaint-coldstart-'));
  const out = join(dir, 'out.png');
  const modelArgs = model ? ['--model', model] : [];
  const prompt = 'a red apple left of a cat on a blue background';
  const flash = existsSync(join(model ?? join(root, 'models', 'default'), 'flash.safetensors'));
  const cases: { key: string; label: string; args: string[] }[] = [
    { key: 'help', label: 'flowpaint --help', args: ['--help'] },
    { key: 'generate', label: 'generate (native size, 20 steps)', args: ['generate', prompt, '--seed', '1', '-o', out, ...modelArgs] },
    { key: 'generate_fast', label: `generate --fast (${flash ? 'Flash' : 'no Flash: 4 plain steps'})`, args: ['generate', prompt, '--seed', '1', '--fast', '-o', out, ...modelArgs] },
  ];
  console.log(`cold start — whole process, median of ${runs}; ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, load ${os.loadavg()[0]!.toFixed(1)}`);
  console.log(`${'command'.padEnd(44)} ${'wall s'.padStart(8)} ${'cpu s'.padStart(8)}`);
  const result: Record<string, number | boolean> = { runs, flash };
  try {
    for (const c of cases) {
      const walls: number[] = [];
      const cpus: number[] = [];
      for (let i = 0; i < runs; i++) {
        rmSync(out, { force: true });
        const r = await once(c.args);
        if (c.key !== 'help' && !existsSync(out)) throw new Error(`${c.label}: no PNG was written`);
        walls.push(r.wall);
        cpus.push(r.cpu);
      }
      result[`${c.key}_wall_s`] = +median(walls).toFixed(2);
      result[`${c.key}_cpu_s`] = +median(cpus).toFixed(2);
      console.log(`${c.label.padEnd(44)} ${median(walls).toFixed(2).padStart(8)} ${median(cpus).toFixed(2).padStart(8)}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(JSON.stringify(result));
}
