/** Checks are at most this often: a tab coming back fires both visibilitychange and focus. */
export const RETURN_CHECK_MS = 5_000;

/**
 * Calls `check` when the user comes back to this tab (it becomes visible, or the window gets
 * focus), at most once per RETURN_CHECK_MS. Answers the function that stops listening.
 */
export function onReturn(check: () => void, target: { window: Window; document: Document } = { window, document }): () => void {
  let last = Number.NEGATIVE_INFINITY;
  const listener = () => {
    if (target.document.visibilityState !== 'visible') return;
    const now = Date.now();
    if (now - last < RETURN_CHECK_MS) return;
    last = now;
    check();
  };
  target.window.addEventListener('focus', listener);
  target.document.addEventListener('visibilitychange', listener);
  return () => {
    target.window.removeEventListener('focus', listener);
    target.document.removeEventListener('visibilitychange', listener);
  };
}
