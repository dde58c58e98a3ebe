import { errorText, type PayloadError } from '../components/forms';

/**
 * One-time codes emailed instead of links (`method: CODE`): the user types the six digits
 * from the email. The server takes exactly six ASCII digits (surrounding blanks aside), and
 * every try counts against the code's five, so what people naturally type or paste is
 * tidied here and an obvious slip is caught before it spends a try.
 */
export const CODE_DIGITS = 6;

export type EmailMethod = 'LINK' | 'CODE';

/**
 * An email input left empty: said as such before sending, rather than the server's message
 * about a malformed address.
 */
export function emailProblem(email: string): string | null {
  return email.trim() ? null : 'Enter your email address.';
}

/** `?method=code` in a URL; anything else is the default, a link. */
export function methodFromParam(value: string | null): EmailMethod {
  return value?.toLowerCase() === 'code' ? 'CODE' : 'LINK';
}

/**
 * The code as the server expects it: full-width and other compatibility digits become ASCII
 * (NFKC), and the spaces, dashes and dots people type or paste between groups
 * ("123 456", "123-456") go. Anything else is kept, so that `codeProblem` can name it.
 */
export function normalizeCode(raw: string): string {
  return raw.normalize('NFKC').replace(/[\s\-‐-―−.·]/g, '');
}

/** Why a (normalised) code cannot be right, or null when it has the right shape. */
export function codeProblem(code: string): string | null {
  if (code === '') return `Enter the ${CODE_DIGITS}-digit code from the email.`;
  if (!/^\d+$/.test(code)) return `The code has only digits: ${CODE_DIGITS} of them, like 123456.`;
  if (code.length !== CODE_DIGITS) return `The code has ${CODE_DIGITS} digits; this has ${code.length}.`;
  return null;
}

/**
 * What to tell the user after asking for another email (a code or a link): a confirmation,
 * or the first error (the cooldown's RATE_LIMITED with its wait), and how many seconds the
 * "send again" button stays off: the server's `retryAfter`, else none.
 */
export function resendOutcome(
  errors: readonly PayloadError[],
  sentText: string,
): { ok: boolean; text: string; waitSeconds: number } {
  const error = errors[0];
  if (!error) return { ok: true, text: sentText, waitSeconds: 0 };
  const wait = error.code === 'RATE_LIMITED' && typeof error.retryAfter === 'number' ? error.retryAfter : 0;
  return { ok: false, text: errorText(error), waitSeconds: Math.max(0, Math.ceil(wait)) };
}
