import { useCallback, useEffect, useState } from 'react';

/**
 * Seconds left of a wait the server asked for (a RATE_LIMITED error's `retryAfter`),
 * counting down each second; `start` begins a new one.
 */
export function useCountdown(): [number, (seconds: number) => void] {
  const [left, setLeft] = useState(0);
  useEffect(() => {
    if (left <= 0) return;
    const timer = setTimeout(() => setLeft((value) => Math.max(0, value - 1)), 1000);
    return () => clearTimeout(timer);
  }, [left]);
  const start = useCallback((seconds: number) => setLeft(Math.max(0, Math.ceil(seconds))), []);
  return [left, start];
}
