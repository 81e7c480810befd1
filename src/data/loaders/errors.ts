// Errors about users' data files. Each names the file, and the manifest line when there is one,
// so that a broken dataset can be fixed without guessing.
import { InputError } from '../errors.ts';

export interface Where {
  /** The file that is wrong (an image, a caption, or the manifest itself). */
  file: string;
  /** 1-based line in the manifest, when the problem came from a manifest line. */
  line?: number;
  /** The manifest, when `file` was named by one of its lines. */
  manifest?: string;
}

export class DataFileError extends InputError {
  readonly where: Where;
  readonly reason: string;

  constructor(where: Where, reason: string) {
    super(describe(where, reason));
    this.where = where;
    this.reason = reason;
  }
}

function describe(w: Where, reason: string): string {
  if (w.manifest && w.line !== undefined) {
    return w.manifest === w.file ? `${w.manifest}:${w.line}: ${reason}` : `${w.manifest}:${w.line}: ${w.file}: ${reason}`;
  }
  return `${w.file}: ${reason}`;
}

/** A sample left out (onError: 'skip'), with the reason it would have failed. */
export interface SkippedItem {
  where: Where;
  reason: string;
}
