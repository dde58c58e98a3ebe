import { useCallback, useState } from 'react';
import { failureText, splitErrors, type PayloadError } from './forms';

/**
 * The error state of a form that sends one mutation: the payload's errors, put next to the
 * inputs `paths` names (the rest above the form), and the request's own failure (no
 * connection, a top-level error). `attempt` runs the request and turns what it throws into
 * that failure, so no page writes the same try/catch again.
 */
export function usePayloadErrors(paths: readonly string[]) {
  const [errors, setErrors] = useState<readonly PayloadError[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  const { byField, general } = splitErrors(errors, paths);

  const attempt = useCallback(async (action: () => Promise<void>) => {
    setFailure(null);
    try {
      await action();
    } catch (error) {
      setFailure(failureText(error));
    }
  }, []);

  return {
    byField,
    /** What the alert above the form lists: the failure first, then the unplaced errors. */
    messages: failure ? [failure, ...general] : general,
    setErrors,
    setFailure,
    attempt,
  };
}
