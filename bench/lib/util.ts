// Helpers shared by the benchmarks: reading `--name value` options and timing repeated runs.

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
