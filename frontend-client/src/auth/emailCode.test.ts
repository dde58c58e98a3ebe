import { describe, expect, it } from 'vitest';
import { splitErrors } from '../components/forms';
import { codeProblem, emailProblem, methodFromParam, normalizeCode, resendOutcome } from './emailCode';

describe('normalizeCode', () => {
  it('keeps six plain digits as they are', () => {
    expect(normalizeCode('042917')).toBe('042917');
  });

  it('drops the blanks, dashes and dots typed or pasted between groups', () => {
    expect(normalizeCode(' 123 456 ')).toBe('123456');
    expect(normalizeCode('123-456')).toBe('123456');
    expect(normalizeCode('123\u2013456')).toBe('123456');
    expect(normalizeCode('12.34.56')).toBe('123456');
    expect(normalizeCode('123\u00a0456\n')).toBe('123456');
  });

  it('turns full-width digits into ASCII ones', () => {
    expect(normalizeCode('１２３４５６')).toBe('123456');
  });

  it('keeps letters, so that the check can name them', () => {
    expect(normalizeCode('12a456')).toBe('12a456');
  });
});

describe('codeProblem', () => {
  it('accepts exactly six digits', () => {
    expect(codeProblem('000000')).toBeNull();
    expect(codeProblem('987654')).toBeNull();
  });

  it('asks for the code when nothing was typed', () => {
    expect(codeProblem('')).toMatch(/enter the 6-digit code/i);
  });

  it('refuses anything but digits', () => {
    expect(codeProblem('12a456')).toMatch(/only digits/i);
    expect(codeProblem('١٢٣٤٥٦')).toMatch(/only digits/i); // not ASCII: the server would refuse it
  });

  it('says how many digits were typed when the count is wrong', () => {
    expect(codeProblem('12345')).toBe('The code has 6 digits; this has 5.');
    expect(codeProblem('1234567')).toBe('The code has 6 digits; this has 7.');
  });

  it('passes what normalizeCode makes of a pasted code', () => {
    expect(codeProblem(normalizeCode('123 456'))).toBeNull();
  });
});

describe('methodFromParam', () => {
  it('reads ?method=code in any case, and a link otherwise', () => {
    expect(methodFromParam('code')).toBe('CODE');
    expect(methodFromParam('CODE')).toBe('CODE');
    expect(methodFromParam('link')).toBe('LINK');
    expect(methodFromParam(null)).toBe('LINK');
    expect(methodFromParam('sms')).toBe('LINK');
  });
});

describe('resendOutcome', () => {
  it('confirms when the payload has no error', () => {
    expect(resendOutcome([], 'Sent.')).toEqual({ ok: true, text: 'Sent.', waitSeconds: 0 });
  });

  it('shows the cooldown with its wait, and keeps the button off that long', () => {
    const outcome = resendOutcome(
      [{ field: 'email', code: 'RATE_LIMITED', message: 'An email was just sent.', retryAfter: 42 }],
      'Sent.',
    );
    expect(outcome).toEqual({ ok: false, text: 'An email was just sent; try again in 42 seconds.', waitSeconds: 42 });
  });

  it('shows any other error without a wait', () => {
    const outcome = resendOutcome([{ field: 'email', code: 'INVALID_EMAIL', message: 'Not a valid email address.' }], 'Sent.');
    expect(outcome).toEqual({ ok: false, text: 'Not a valid email address.', waitSeconds: 0 });
  });
});

describe('the code step puts the server errors at their fields', () => {
  const fields = ['code', 'newPassword'];

  it('shows INVALID_CODE at the code and a weak password at the new password', () => {
    const { byField, general } = splitErrors(
      [
        { field: 'code', code: 'INVALID_CODE', message: 'This code is wrong or has expired; ask for a new one.' },
        { field: 'newPassword', code: 'PASSWORD_TOO_WEAK', message: 'This password is too common.' },
      ],
      fields,
    );
    expect(byField).toEqual({
      code: 'This code is wrong or has expired; ask for a new one.',
      newPassword: 'This password is too common.',
    });
    expect(general).toEqual([]);
  });

  it('shows the per-address guess limit at the code, with its wait', () => {
    const { byField } = splitErrors(
      [{ field: 'code', code: 'RATE_LIMITED', message: 'Too many codes tried for this address.', retryAfter: 120 }],
      fields,
    );
    expect(byField.code).toBe('Too many codes tried for this address; try again in 2 minutes.');
  });

  it('shows an error about the address above the form: the step has no email input', () => {
    const { byField, general } = splitErrors([{ field: 'email', code: 'INVALID_EMAIL', message: 'Not valid.' }], fields);
    expect(byField).toEqual({});
    expect(general).toEqual(['Not valid.']);
  });
});

describe('emailProblem', () => {
  it('asks for the address when the input is empty or blank', () => {
    expect(emailProblem('')).toBe('Enter your email address.');
    expect(emailProblem('   ')).toBe('Enter your email address.');
    expect(emailProblem('ada@example.com')).toBeNull();
  });
});
