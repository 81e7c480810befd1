// Maps errors to the CLI's exit codes: 0 success, 2 bad input, 3 refused by a safety filter, 1 anything else.
export class UsageError extends Error {
  override name = 'UsageError';
}

export function exitCodeFor(err: unknown): number {
  if (err instanceof Error) {
    if (err.name === 'UsageError' || err.name === 'InputError') return 2;
    if (err.name === 'SafetyRefusal') return 3;
  }
  return 1;
}

export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
