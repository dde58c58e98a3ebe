import { useCallback, useState } from 'react';
import { emailProblem } from '../auth/emailCode';
import { useCountdown } from './countdown';
import { failureText, rateLimitText, splitErrors, errorText, type PayloadError } from './forms';

/** The longest wait the RATE_LIMITED errors among `errors` ask for, in seconds (0: none). */
export function retryAfterOf(errors: readonly PayloadError[]): number {
  return Math.max(0, ...errors.map((e) => (e.code === 'RATE_LIMITED' && typeof e.retryAfter === 'number' ? e.retryAfter : 0)));
}

/**
 * The error state of a form that sends one mutation: the payload's errors, put next to the
 * inputs `paths` names (the rest above the form), and the request's own failure (no
 * connection, a top-level error). `attempt` runs the request and turns what it throws into
 * that failure, so no page writes the same try/catch again.
 *
 * A RATE_LIMITED error counts its `retryAfter` down in its message, and `wait` (the seconds
 * left) keeps the form's button off until then.
 */
export function usePayloadErrors(paths: readonly string[]) {
  const [errors, setErrorList] = useState<readonly PayloadError[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  const [wait, startWait] = useCountdown();
  const { byField, general } = splitErrors(errors, paths, (error) =>
    error.code === 'RATE_LIMITED' && typeof error.retryAfter === 'number' ? rateLimitText(error.message, wait) : errorText(error),
  );

  const setErrors = useCallback(
    (next: readonly PayloadError[] | ((previous: readonly PayloadError[]) => readonly PayloadError[])) => {
      setErrorList((previous) => (typeof next === 'function' ? next(previous) : next));
      if (typeof next !== 'function') startWait(retryAfterOf(next));
    },
    [startWait],
  );

  /** Whether an email was typed; if not, says so at the `email` input before anything is sent. */
  const emailGiven = useCallback(
    (email: string): boolean => {
      const missing = emailProblem(email);
      if (missing) setErrors([{ field: 'email', code: 'REQUIRED', message: missing }]);
      return !missing;
    },
    [setErrors],
  );

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
    /** Seconds until a rate-limited form may be sent again. */
    wait,
    setErrors,
    setFailure,
    emailGiven,
    attempt,
  };
}
