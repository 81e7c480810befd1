// Errors shared by every layer. The CLI maps InputError to exit code 2 and the server to 400;
// anything else is an internal failure.

/** The caller's input is wrong (a size, a file, a prompt); the message names what and why. */
export class InputError extends Error {
  override name = 'InputError';
}
