// A diffusers model folder that is missing a file, or holds one that does not match what the
// loader expects, is the user's input: InputError, so the CLI exits 2 and the server answers 400.
import { InputError } from '../../errors.ts';

/** A file of a diffusers folder is missing or does not match; the message names the file and what was expected. */
export class DiffusersFormatError extends InputError {
  override name = 'InputError';
}
