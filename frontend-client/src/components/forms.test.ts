import { newInvariantError } from '@apollo/client/utilities/invariant';
import { describe, expect, it } from 'vitest';
import { PASSKEY_PROBLEM_MESSAGES, PasskeyError } from '../auth/webauthn';
import { errorText, failureText, rateLimitText, splitErrors } from './forms';

const error = (field: string | null, message: string, code = 'VALIDATION_ERROR') => ({ field, message, code });

describe('splitErrors', () => {
  it('puts a nested path next to the input that lists it', () => {
    const { byField, general } = splitErrors(
      [error('profile.displayName', 'Use at most 50 characters.'), error('email', 'Enter a valid email.')],
      ['email', 'password', 'profile.displayName'],
    );
    expect(byField).toEqual({ 'profile.displayName': 'Use at most 50 characters.', email: 'Enter a valid email.' });
    expect(general).toEqual([]);
  });

  it('puts links[2] next to the third link input, and a list error on the list', () => {
    const paths = ['website', 'links', 'links[0]', 'links[1]', 'links[2]'];
    const { byField, general } = splitErrors(
      [error('links[2]', 'Each link must be an http(s) URL.'), error('links', 'Add at most 10 links.')],
      paths,
    );
    expect(byField['links[2]']).toBe('Each link must be an http(s) URL.');
    expect(byField['links[0]']).toBeUndefined();
    expect(byField.links).toBe('Add at most 10 links.');
    expect(general).toEqual([]);
  });

  it('falls back to the nearest listed parent, then to the top of the form', () => {
    const { byField, general } = splitErrors(
      [error('links[7]', 'Bad link.'), error('profile.bio', 'Too long.'), error(null, 'Try again later.'), error('email', 'Taken.')],
      ['links', 'email'],
    );
    expect(byField).toEqual({ links: 'Bad link.', email: 'Taken.' });
    expect(general).toEqual(['Too long.', 'Try again later.']);
  });

  it('joins two errors about one input', () => {
    const { byField } = splitErrors([error('newPassword', 'Too short.'), error('newPassword', 'Too common.')], ['newPassword']);
    expect(byField.newPassword).toBe('Too short. Too common.');
  });
});

describe('errorText', () => {
  it('says a rate limit in one sentence, with the wait from retryAfter', () => {
    expect(errorText({ ...error('email', 'An email was just requested.', 'RATE_LIMITED'), retryAfter: 45 })).toBe(
      'An email was just requested; try again in 45 seconds.',
    );
    expect(errorText({ ...error(null, 'Too many attempts.', 'RATE_LIMITED'), retryAfter: 61 })).toBe(
      'Too many attempts; try again in 2 minutes.',
    );
    expect(errorText({ ...error(null, 'Too many attempts.', 'RATE_LIMITED'), retryAfter: null })).toBe('Too many attempts.');
  });

  it('says the wait once when the message already names it', () => {
    const message = 'An email was just requested for this address; wait 58 seconds.';
    expect(errorText({ ...error('email', message, 'RATE_LIMITED'), retryAfter: 58 })).toBe(
      'An email was just requested for this address; try again in 58 seconds.',
    );
  });
});

describe('rateLimitText', () => {
  it('counts down, then says the wait is over', () => {
    expect(rateLimitText('Too many sign-in attempts; try again later.', 3)).toBe('Too many sign-in attempts; try again in 3 seconds.');
    expect(rateLimitText('Too many sign-in attempts; try again later.', 1)).toBe('Too many sign-in attempts; try again in 1 second.');
    expect(rateLimitText('Too many sign-in attempts; try again later.', 0)).toBe('Too many sign-in attempts; you can try again now.');
  });
});

describe('failureText', () => {
  it('gives a failed passkey ceremony its own words', () => {
    expect(failureText(new PasskeyError('cancelled'))).toBe(PASSKEY_PROBLEM_MESSAGES.cancelled);
  });

  it('does not blame the connection for a request cancelled by a sign-out', () => {
    // What Apollo rejects in-flight requests with when the cache is cleared.
    const cancelled = newInvariantError('Store reset while query was in flight (not completed in link chain)');
    expect(failureText(cancelled)).not.toMatch(/cannot be reached/);
  });

  it('calls anything else a connection problem', () => {
    expect(failureText(new TypeError('Failed to fetch'))).toBe(
      'The server cannot be reached. Check your connection and try again.',
    );
  });
});
