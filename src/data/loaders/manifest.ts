// JSONL manifests: one JSON object per line, either a captioned image
// {"image": "a.png", "caption": "..."} or an edit triplet
// {"source": "a.png", "instruction": "...", "target": "b.png", "mask"?: "m.png"}.
// Paths are relative to the manifest's folder. Blank lines are allowed.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { DataFileError } from './errors.ts';

const nonEmpty = z.string().trim().min(1);

const ImageLine = z.strictObject({ image: nonEmpty, caption: nonEmpty });
const EditLine = z.strictObject({ source: nonEmpty, instruction: nonEmpty, target: nonEmpty, mask: nonEmpty.optional() });

export type ManifestItem =
  | { kind: 't2i'; line: number; image: string; caption: string }
  | { kind: 'edit'; line: number; source: string; target: string; mask?: string; instruction: string };

export interface ParsedManifest {
  items: ManifestItem[];
  /** Lines that failed, for onError 'skip'. */
  errors: DataFileError[];
}

/** Parses and validates every line; collects errors rather than stopping at the first. */
export async function parseManifest(path: string): Promise<ParsedManifest> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DataFileError({ file: path }, code === 'ENOENT' ? 'manifest not found' : `cannot read manifest (${code})`);
  }
  const base = dirname(path);
  const items: ManifestItem[] = [];
  const errors: DataFileError[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    const where = { file: path, manifest: path, line };
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      errors.push(new DataFileError(where, `invalid JSON (${(err as Error).message})`));
      return;
    }
    const asImage = ImageLine.safeParse(value);
    if (asImage.success) {
      items.push({ kind: 't2i', line, image: resolve(base, asImage.data.image), caption: asImage.data.caption });
      return;
    }
    const asEdit = EditLine.safeParse(value);
    if (asEdit.success) {
      const d = asEdit.data;
      items.push({
        kind: 'edit', line, source: resolve(base, d.source), target: resolve(base, d.target),
        instruction: d.instruction, ...(d.mask ? { mask: resolve(base, d.mask) } : {}),
      });
      return;
    }
    errors.push(new DataFileError(where, describeShapeError(value, asImage.error, asEdit.error)));
  });
  return { items, errors };
}

/** Reports against the shape the line seems to be aiming at, naming the field. */
function describeShapeError(value: unknown, imageErr: z.ZodError, editErr: z.ZodError): string {
  const looksLikeEdit = typeof value === 'object' && value !== null && ('source' in value || 'target' in value || 'instruction' in value);
  const err = looksLikeEdit ? editErr : imageErr;
  const want = looksLikeEdit ? '{"source", "instruction", "target", "mask"?}' : '{"image", "caption"}';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `expected a JSON object ${want}`;
  const issue = err.issues[0]!;
  const field = issue.path.length > 0 ? `field "${issue.path.join('.')}"` : 'line';
  const key = issue.path[0];
  const missing = typeof key === 'string' && !(key in value);
  const what =
    issue.code === 'unrecognized_keys'
      ? `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`
      : `${field}: ${missing ? 'is missing' : issue.code === 'invalid_type' ? `must be a ${issue.expected}` : issue.message}`;
  return `${what} (expected ${want})`;
}
