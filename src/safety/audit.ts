// One JSON line per refusal, for the operator: when, which stage and category, which layer, the
// score, and a SHA-256 of the refused text so repeated attempts can be correlated without the
// log itself holding the unsafe text. Images are never logged (only their size and a hash).
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SafetyDecision } from './refusal.ts';

export type AuditSink = (line: string) => void;

export interface AuditContext {
  /** The refused text; only its hash and length are logged. */
  text?: string;
  /** The refused image bytes or pixels; only their hash and size are logged. */
  image?: Uint8Array;
  route?: string;
  requestId?: string;
  user?: string;
  model?: string;
}

/** A sink from the policy's `audit.sink`: 'stderr', 'none', or a file to append to. */
export function auditSinkFor(sink: string): AuditSink {
  if (sink === 'none') return () => {};
  if (sink === 'stderr') return (line) => process.stderr.write(line + '\n');
  return (line) => {
    mkdirSync(dirname(sink), { recursive: true });
    appendFileSync(sink, line + '\n');
  };
}

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The audit record for a decision, as one line of JSON. */
export function auditLine(decision: SafetyDecision, context: AuditContext = {}, now = new Date()): string {
  const { text, image, ...rest } = context;
  const record: Record<string, unknown> = {
    time: now.toISOString(),
    event: decision.allowed ? 'safety_allowed' : 'safety_refusal',
    stage: decision.stage,
    category: decision.category,
    score: Number(decision.score.toFixed(4)),
    threshold: decision.threshold,
    reason: decision.reason,
    moderation: decision.moderation,
    ...rest,
  };
  if (text !== undefined) {
    record.text_sha256 = sha256(text);
    record.text_chars = text.length;
  }
  if (image !== undefined) {
    record.image_sha256 = sha256(image);
    record.image_bytes = image.byteLength;
  }
  return JSON.stringify(record);
}

export function auditLog(decision: SafetyDecision, context: AuditContext = {}, sink: AuditSink = auditSinkFor('stderr')): void {
  sink(auditLine(decision, context));
}
