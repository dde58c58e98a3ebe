/**
 * The pure logic of second factors, independent of React (tested in secondFactor.test.ts):
 * the two-step sign-in challenge, what to send to `verifySecondFactor` and `reauthenticate`,
 * and what each error code means to the user.
 */
import { rateLimitText } from '../components/forms';
import type { ErrorCode, SecondFactorMethod } from '../gql/graphql';

/** A payload error, as the `ErrorFields` fragment reads it. */
export interface CodedError {
  code: string;
  message: string;
  field?: string | null;
  retryAfter?: number | null;
}

/**
 * What the user reads for the codes of second factors, passkeys and step-up: what happened
 * and what to do. Codes not listed keep the server's own message (it names the field, the
 * limit and so on).
 */
export const ERROR_MESSAGES: Partial<Record<ErrorCode, string>> = {
  SECOND_FACTOR_REQUIRED: 'Enter the code from your authenticator app, a recovery code or use a passkey.',
  INVALID_SECOND_FACTOR: 'That code is not right, or it was already used. Check your authenticator app and try again.',
  CHALLENGE_EXPIRED: 'This sign-in took too long or had too many wrong codes. Please sign in again.',
  TOTP_ALREADY_ENABLED: 'An authenticator app is already set up for this account.',
  TOTP_NOT_STARTED: 'The setup expired or was replaced. Start setting up the authenticator app again.',
  TOTP_NOT_ENABLED: 'No authenticator app is set up for this account. Set one up (or add a passkey) first.',
  STEP_UP_REQUIRED: 'For your safety, confirm it is you before making this change.',
  PASSKEY_INVALID: 'The passkey could not be verified. Please try again.',
  PASSKEY_ALREADY_REGISTERED: 'This passkey is already registered to your account.',
  INVALID_CREDENTIALS: 'That password is not right.',
};

/** INVALID_SECOND_FACTOR says which input was wrong through `field`. */
const INVALID_BY_FIELD: Record<string, string> = {
  code: 'That code is not right, or it was already used. Check your authenticator app and try again.',
  recoveryCode: 'That recovery code is not right, or it was already used.',
  passkey: 'That passkey was not accepted. Use a passkey registered to this account.',
};

/**
 * The text shown for a payload error of these flows. `context` tells whether a wrong
 * password was given in a sign-in (where the server's wording applies) or a confirmation.
 */
export function describeError(error: CodedError, context: 'sign-in' | 'confirm' = 'confirm'): string {
  if (error.code === 'RATE_LIMITED') {
    return typeof error.retryAfter === 'number'
      ? rateLimitText('Too many attempts', error.retryAfter)
      : 'Too many attempts. Please wait a moment and try again.';
  }
  if (error.code === 'INVALID_SECOND_FACTOR' && error.field && INVALID_BY_FIELD[error.field]) {
    return INVALID_BY_FIELD[error.field];
  }
  if (error.code === 'INVALID_CREDENTIALS' && context === 'sign-in') return error.message;
  return ERROR_MESSAGES[error.code as ErrorCode] ?? error.message;
}

export function hasError(errors: readonly CodedError[] | null | undefined, code: ErrorCode): boolean {
  return (errors ?? []).some((error) => error.code === code);
}

/** The second-factor step of a sign-in, from `AuthPayload.secondFactor`. */
export interface Challenge {
  challenge: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  methods: SecondFactorMethod[];
  passkeyOptions: string | null;
}

export function challengeFrom(secondFactor: {
  challenge: string;
  expiresAt: string;
  methods: readonly SecondFactorMethod[];
  passkeyOptions?: string | null;
}): Challenge {
  const expiresAt = Date.parse(secondFactor.expiresAt);
  // PASSKEY without options cannot be used: leave it out rather than show a dead button.
  const methods = secondFactor.methods.filter((m) => m !== 'PASSKEY' || Boolean(secondFactor.passkeyOptions));
  return {
    challenge: secondFactor.challenge,
    expiresAt: Number.isNaN(expiresAt) ? Number.POSITIVE_INFINITY : expiresAt,
    methods,
    passkeyOptions: secondFactor.passkeyOptions ?? null,
  };
}

export function challengeExpired(challenge: Challenge, now: number = Date.now()): boolean {
  return now >= challenge.expiresAt;
}

/** The method shown first: the authenticator app when offered, then a passkey, then a recovery code. */
export function firstMethod(challenge: Challenge): SecondFactorMethod | null {
  for (const method of ['TOTP', 'PASSKEY', 'RECOVERY_CODE'] as const) {
    if (challenge.methods.includes(method)) return method;
  }
  return null;
}

/** A TOTP code as typed ("123 456", "123-456") to its six digits. */
export function normaliseCode(value: string): string {
  return value.replace(/[\s-]/g, '');
}

/** Recovery codes are compared by the server; only the surrounding blanks go. */
export function normaliseRecoveryCode(value: string): string {
  return value.trim();
}

/** What a second-factor form checks before sending, so an obvious slip costs no attempt. */
export function codeProblem(value: string): string | null {
  const code = normaliseCode(value);
  if (!code) return 'Enter the 6-digit code from your authenticator app.';
  if (!/^\d{6}$/.test(code)) return 'The code is the 6 digits your authenticator app shows.';
  return null;
}

export function recoveryCodeProblem(value: string): string | null {
  return normaliseRecoveryCode(value) ? null : 'Enter one of your recovery codes.';
}

export type SecondFactorAnswer =
  | { method: 'TOTP'; code: string }
  | { method: 'RECOVERY_CODE'; recoveryCode: string }
  | { method: 'PASSKEY'; passkey: string };

/** Exactly one of code / recoveryCode / passkey, as the server requires. */
export function answerInput(answer: SecondFactorAnswer): { code?: string; recoveryCode?: string; passkey?: string } {
  switch (answer.method) {
    case 'TOTP':
      return { code: normaliseCode(answer.code) };
    case 'RECOVERY_CODE':
      return { recoveryCode: normaliseRecoveryCode(answer.recoveryCode) };
    case 'PASSKEY':
      return { passkey: answer.passkey };
  }
}

export function verifyInput(challenge: Challenge, answer: SecondFactorAnswer) {
  return { challenge: challenge.challenge, ...answerInput(answer) };
}

/**
 * What the second-factor step does after `verifySecondFactor` answered with errors:
 * - `restart`: the challenge is gone (expired, used or burned): back to the password step;
 * - `retry`: a wrong code: stay, say so next to the input;
 * - `wait`: rate limited.
 */
export function afterVerifyFailure(errors: readonly CodedError[]): 'restart' | 'retry' | 'wait' {
  if (hasError(errors, 'CHALLENGE_EXPIRED')) return 'restart';
  if (hasError(errors, 'RATE_LIMITED')) return 'wait';
  return 'retry';
}

/** Ways the viewer can confirm it is them, from `secondFactors`. */
export interface StepUpOptions {
  password: boolean;
  totp: boolean;
  recoveryCode: boolean;
  passkey: boolean;
}

/**
 * An account with a second factor must confirm with one (the server refuses a password
 * then); one without confirms with its password.
 */
export function stepUpOptions(factors: { totpEnabled: boolean; recoveryCodesRemaining: number; passkeyCount: number } | null | undefined): StepUpOptions {
  const totp = Boolean(factors?.totpEnabled);
  const passkey = (factors?.passkeyCount ?? 0) > 0;
  const recoveryCode = (factors?.recoveryCodesRemaining ?? 0) > 0;
  const second = totp || passkey;
  return { password: !second, totp, recoveryCode: second && recoveryCode, passkey };
}

/** The recovery codes as one text to copy or save, one per line. */
export function recoveryCodesText(codes: readonly string[]): string {
  return `Gatehouse recovery codes (each works once):\n${codes.join('\n')}\n`;
}
