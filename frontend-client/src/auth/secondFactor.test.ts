import { describe, expect, it } from 'vitest';
import {
  ERROR_MESSAGES,
  afterVerifyFailure,
  answerInput,
  challengeExpired,
  challengeFrom,
  codeProblem,
  describeError,
  firstMethod,
  recoveryCodeProblem,
  recoveryCodesText,
  stepUpOptions,
  verifyInput,
} from './secondFactor';

const payload = {
  challenge: 'opaque-challenge',
  expiresAt: '2026-11-30T10:05:00Z',
  methods: ['TOTP', 'RECOVERY_CODE', 'PASSKEY'] as ('TOTP' | 'RECOVERY_CODE' | 'PASSKEY')[],
  passkeyOptions: '{"challenge":"abc"}',
};

describe('the second-factor challenge', () => {
  it('keeps the challenge, its expiry and methods', () => {
    const challenge = challengeFrom(payload);
    expect(challenge.challenge).toBe('opaque-challenge');
    expect(challenge.expiresAt).toBe(Date.parse('2026-11-30T10:05:00Z'));
    expect(challenge.methods).toEqual(['TOTP', 'RECOVERY_CODE', 'PASSKEY']);
    expect(challenge.passkeyOptions).toBe('{"challenge":"abc"}');
  });

  it('drops PASSKEY when no options came with it', () => {
    const challenge = challengeFrom({ ...payload, passkeyOptions: null });
    expect(challenge.methods).toEqual(['TOTP', 'RECOVERY_CODE']);
  });

  it('expires at expiresAt', () => {
    const challenge = challengeFrom(payload);
    expect(challengeExpired(challenge, Date.parse('2026-11-30T10:04:59Z'))).toBe(false);
    expect(challengeExpired(challenge, Date.parse('2026-11-30T10:05:00Z'))).toBe(true);
  });

  it('shows the authenticator app first, then a passkey, then a recovery code', () => {
    expect(firstMethod(challengeFrom(payload))).toBe('TOTP');
    expect(firstMethod(challengeFrom({ ...payload, methods: ['RECOVERY_CODE', 'PASSKEY'] }))).toBe('PASSKEY');
    expect(firstMethod(challengeFrom({ ...payload, methods: ['RECOVERY_CODE'] }))).toBe('RECOVERY_CODE');
    expect(firstMethod(challengeFrom({ ...payload, methods: [] }))).toBeNull();
  });

  it('sends exactly one answer with the challenge', () => {
    const challenge = challengeFrom(payload);
    expect(verifyInput(challenge, { method: 'TOTP', code: ' 123 456 ' })).toEqual({
      challenge: 'opaque-challenge',
      code: '123456',
    });
    expect(verifyInput(challenge, { method: 'RECOVERY_CODE', recoveryCode: '  abcd-efgh ' })).toEqual({
      challenge: 'opaque-challenge',
      recoveryCode: 'abcd-efgh',
    });
    expect(verifyInput(challenge, { method: 'PASSKEY', passkey: '{"id":"x"}' })).toEqual({
      challenge: 'opaque-challenge',
      passkey: '{"id":"x"}',
    });
    expect(Object.keys(answerInput({ method: 'TOTP', code: '123-456' }))).toEqual(['code']);
    expect(answerInput({ method: 'TOTP', code: '123-456' })).toEqual({ code: '123456' });
  });

  it('checks a code before spending an attempt on it', () => {
    expect(codeProblem('')).toMatch(/6-digit/);
    expect(codeProblem('12345')).toMatch(/6 digits/);
    expect(codeProblem('12345a')).toMatch(/6 digits/);
    expect(codeProblem('123 456')).toBeNull();
    expect(recoveryCodeProblem('   ')).toMatch(/recovery code/);
    expect(recoveryCodeProblem('x')).toBeNull();
  });

  it('restarts on an expired challenge, waits when rate limited, else lets the user retry', () => {
    expect(afterVerifyFailure([{ code: 'CHALLENGE_EXPIRED', message: '' }])).toBe('restart');
    expect(afterVerifyFailure([{ code: 'RATE_LIMITED', message: '' }])).toBe('wait');
    expect(afterVerifyFailure([{ code: 'INVALID_SECOND_FACTOR', message: '' }])).toBe('retry');
  });
});

describe('error messages', () => {
  it('has a message of its own for every code of these flows', () => {
    for (const code of [
      'SECOND_FACTOR_REQUIRED',
      'INVALID_SECOND_FACTOR',
      'CHALLENGE_EXPIRED',
      'TOTP_ALREADY_ENABLED',
      'TOTP_NOT_STARTED',
      'TOTP_NOT_ENABLED',
      'STEP_UP_REQUIRED',
      'PASSKEY_INVALID',
      'PASSKEY_ALREADY_REGISTERED',
    ] as const) {
      expect(describeError({ code, message: 'server text' })).toBe(ERROR_MESSAGES[code]);
      expect(ERROR_MESSAGES[code]).toMatch(/\.$/);
    }
  });

  it('names the wrong input of INVALID_SECOND_FACTOR', () => {
    expect(describeError({ code: 'INVALID_SECOND_FACTOR', message: '', field: 'recoveryCode' })).toMatch(/recovery code/);
    expect(describeError({ code: 'INVALID_SECOND_FACTOR', message: '', field: 'passkey' })).toMatch(/passkey/);
    expect(describeError({ code: 'INVALID_SECOND_FACTOR', message: '', field: 'code' })).toMatch(/authenticator app/);
  });

  it('says how long to wait when rate limited', () => {
    expect(describeError({ code: 'RATE_LIMITED', message: 'x', retryAfter: 30 })).toBe('Too many attempts; try again in 30 seconds.');
    expect(describeError({ code: 'RATE_LIMITED', message: 'x', retryAfter: 90 })).toBe('Too many attempts; try again in 2 minutes.');
    expect(describeError({ code: 'RATE_LIMITED', message: 'x' })).toMatch(/wait a moment/);
  });

  it("keeps the server's words for other codes, and for a wrong sign-in password", () => {
    expect(describeError({ code: 'VALIDATION_ERROR', message: 'Use at most 64 characters.' })).toBe('Use at most 64 characters.');
    expect(describeError({ code: 'INVALID_CREDENTIALS', message: 'Wrong email or password.' }, 'sign-in')).toBe(
      'Wrong email or password.',
    );
    expect(describeError({ code: 'INVALID_CREDENTIALS', message: 'Wrong email or password.' })).toBe('That password is not right.');
  });
});

describe('step-up options', () => {
  it('asks an account without a second factor for its password', () => {
    expect(stepUpOptions({ totpEnabled: false, recoveryCodesRemaining: 0, passkeyCount: 0 })).toEqual({
      password: true,
      totp: false,
      recoveryCode: false,
      passkey: false,
    });
    expect(stepUpOptions(null).password).toBe(true);
  });

  it('asks an account with a second factor for one of them, never the password', () => {
    expect(stepUpOptions({ totpEnabled: true, recoveryCodesRemaining: 10, passkeyCount: 0 })).toEqual({
      password: false,
      totp: true,
      recoveryCode: true,
      passkey: false,
    });
    expect(stepUpOptions({ totpEnabled: false, recoveryCodesRemaining: 0, passkeyCount: 2 })).toEqual({
      password: false,
      totp: false,
      recoveryCode: false,
      passkey: true,
    });
  });

  it('offers no recovery code when none is left', () => {
    expect(stepUpOptions({ totpEnabled: true, recoveryCodesRemaining: 0, passkeyCount: 0 }).recoveryCode).toBe(false);
  });
});

describe('recovery codes text', () => {
  it('lists one code a line', () => {
    expect(recoveryCodesText(['aaaa-bbbb', 'cccc-dddd'])).toBe(
      'Gatehouse recovery codes (each works once):\naaaa-bbbb\ncccc-dddd\n',
    );
  });
});
