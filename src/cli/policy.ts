// The safety policy file named by --safety-config or $FLOWPAINT_SAFETY_CONFIG, for every command
// that loads a pipeline (generate, edit, slides, photos).
import { readFileSync } from 'node:fs';
import { UsageError } from './errors.ts';

export function readSafetyConfig(path: string | undefined): unknown {
  if (!path) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UsageError(`safety config ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
