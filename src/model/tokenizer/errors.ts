// A problem with what the user gave (a prompt, a captions file), as opposed to a bug.
// The CLI and server recognise it by name ('InputError': exit code 2, HTTP 400), so it
// needs no import from above this layer.
export class InputError extends Error {
  override name = 'InputError';
}
