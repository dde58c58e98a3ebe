import { describe, expect, it } from 'vitest';
import { flowPath, forgetReturn, recallReturn, rememberReturn, safeNext } from './returnTo';

describe('returnTo', () => {
  it('keeps the address and the page for the tab the email opens', () => {
    rememberReturn({ email: 'ada@example.com', next: '/plans' }, localStorage);
    expect(recallReturn(localStorage)).toEqual({ email: 'ada@example.com', next: '/plans' });
    forgetReturn(localStorage);
    expect(recallReturn(localStorage)).toBeNull();
  });

  it('forgets it after a day, and never returns to another site', () => {
    rememberReturn({ email: 'ada@example.com', next: '//evil.example' }, localStorage);
    expect(recallReturn(localStorage)?.next).toBe('/');
    expect(recallReturn(localStorage, Date.now() + 25 * 60 * 60 * 1000)).toBeNull();
    expect(safeNext('https://evil.example')).toBe('/');
  });

  it('builds the sign-in path with the address and the page', () => {
    expect(flowPath('/login', { email: 'a+b@example.com', next: '/articles/x' })).toBe(
      '/login?email=a%2Bb%40example.com&next=%2Farticles%2Fx',
    );
    expect(flowPath('/login', { email: '', next: '/' })).toBe('/login');
  });
});
