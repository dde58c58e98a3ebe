import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RETURN_CHECK_MS, onReturn } from './onReturn';

describe('onReturn', () => {
  let visibility: DocumentVisibilityState;
  beforeEach(() => {
    vi.useFakeTimers();
    visibility = 'visible';
    vi.spyOn(document, 'visibilityState', 'get').mockImplementation(() => visibility);
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.useRealTimers();
  });

  it('checks once when the tab comes back, though visibilitychange and focus both fire', () => {
    const check = vi.fn();
    const stop = onReturn(check);
    document.dispatchEvent(new Event('visibilitychange'));
    window.dispatchEvent(new Event('focus'));
    expect(check).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(RETURN_CHECK_MS);
    window.dispatchEvent(new Event('focus'));
    expect(check).toHaveBeenCalledTimes(2);
    stop();
  });

  it('does not check when the tab is hidden, nor after it stopped listening', () => {
    const check = vi.fn();
    const stop = onReturn(check);
    visibility = 'hidden';
    document.dispatchEvent(new Event('visibilitychange'));
    expect(check).not.toHaveBeenCalled();
    stop();
    visibility = 'visible';
    window.dispatchEvent(new Event('focus'));
    expect(check).not.toHaveBeenCalled();
  });
});
