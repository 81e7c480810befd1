// Errors for bad user input (sizes, specs, data files). The name 'InputError' is what the CLI
// maps to exit code 2; the message always names the offending value, file, line or field.
export class InputError extends Error {
  override name = 'InputError';
}
