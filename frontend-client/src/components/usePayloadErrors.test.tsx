import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PayloadError } from './forms';
import { usePayloadErrors } from './usePayloadErrors';

// React's act() warns unless told it runs in a test environment.
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let form: ReturnType<typeof usePayloadErrors>;
function Probe() {
  form = usePayloadErrors(['email']);
  return null;
}

describe('usePayloadErrors', () => {
  let root: Root;
  beforeEach(() => {
    vi.useFakeTimers();
    root = createRoot(document.createElement('div'));
    act(() => root.render(<Probe />));
  });
  afterEach(() => {
    act(() => root.unmount());
    vi.useRealTimers();
  });

  const limited: PayloadError = { field: null, code: 'RATE_LIMITED', message: 'Too many sign-in attempts; try again later.', retryAfter: 3 };

  it('counts a rate limit down each second, one sentence, and holds the form until then', () => {
    act(() => form.setErrors([limited]));
    expect(form.messages).toEqual(['Too many sign-in attempts; try again in 3 seconds.']);
    expect(form.wait).toBe(3);
    act(() => vi.advanceTimersByTime(1000));
    expect(form.messages).toEqual(['Too many sign-in attempts; try again in 2 seconds.']);
    act(() => vi.advanceTimersByTime(1000));
    act(() => vi.advanceTimersByTime(1000));
    expect(form.wait).toBe(0);
    expect(form.messages).toEqual(['Too many sign-in attempts; you can try again now.']);
  });

  it('puts a field error at its field and has no wait', () => {
    act(() => form.setErrors([{ field: 'email', code: 'INVALID_EMAIL', message: 'Not valid.' }]));
    expect(form.byField.email).toBe('Not valid.');
    expect(form.wait).toBe(0);
  });
});
