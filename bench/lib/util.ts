// Helpers shared by the benchmarks: reading `--name value` options, timing repeated runs, CPU
// seconds and medians.

export function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** Mean milliseconds per call over `reps` calls, after one warm-up call. */
export async function timeRuns(fn: () => Promise<unknown>, reps: number): Promise<number> {
  await fn();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) await fn();
  return (performance.now() - t0) / reps;
}

/** CPU seconds this process has used, all threads (user + system). */
export function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** The middle value (the upper of the two middle ones for an even count). */
export function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
}
