// Structured JSON logs (one object per line) with pino. Prompts and keys are never logged:
// prompts may be private and keys are secrets; their lengths and key ids are enough to debug.
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({ level, base: { service: 'flowpaint' }, timestamp: pino.stdTimeFunctions.isoTime }, destination ?? pino.destination(1));
}
