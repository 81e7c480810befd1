import { ApiFailure } from './api.ts';

/** Failures are always shown in words: a refusal by the safety filters is named as one. */
export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  const failure = error instanceof ApiFailure ? error : null;
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div className={`error${failure?.refused ? ' refused' : ''}`} role="alert" data-testid="error">
      <strong>{failure?.refused ? 'Refused by the safety filter' : failure ? `Error${failure.status ? ` (${failure.status})` : ''}` : 'Error'}:</strong>{' '}
      {message}
    </div>
  );
}
