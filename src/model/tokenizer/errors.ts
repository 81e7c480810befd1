// One InputError for the whole project; see src/errors.ts.
export { InputError } from '../../errors.ts';
