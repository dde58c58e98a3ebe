/**
 * Where a user goes back to after the detours of signing up or resetting a password: the
 * address they gave and the page they came from. The email's link opens in a new tab, so
 * this is kept in localStorage (never a token or a password; it expires after a day), and
 * the sign-in page then starts with the address filled in and returns to that page.
 */
const KEY = 'gatehouse.return';
const LIFETIME_MS = 24 * 60 * 60 * 1000;

export interface ReturnTo {
  email: string;
  next: string;
}

/** Only paths inside this app: `next` must never send the user to another site. */
export function safeNext(value: string | null | undefined): string {
  return value && value.startsWith('/') && !value.startsWith('//') ? value : '/';
}

export function rememberReturn(value: ReturnTo, storage: Storage | null = localStorageOrNull()): void {
  try {
    storage?.setItem(KEY, JSON.stringify({ ...value, at: Date.now() }));
  } catch {
    // Storage full or refused: the user types the address again, nothing worse.
  }
}

export function recallReturn(storage: Storage | null = localStorageOrNull(), now = Date.now()): ReturnTo | null {
  try {
    const saved = JSON.parse(storage?.getItem(KEY) ?? 'null') as (ReturnTo & { at: number }) | null;
    if (!saved || typeof saved.email !== 'string' || now - saved.at > LIFETIME_MS) return null;
    return { email: saved.email, next: safeNext(saved.next) };
  } catch {
    return null;
  }
}

export function forgetReturn(storage: Storage | null = localStorageOrNull()): void {
  try {
    storage?.removeItem(KEY);
  } catch {
    // Nothing to forget.
  }
}

/** A page of the sign-in flows, with the address to fill in and the page to go back to. */
export function flowPath(path: string, value: { email?: string | null; next?: string | null }): string {
  const query = new URLSearchParams();
  if (value.email) query.set('email', value.email);
  if (value.next && safeNext(value.next) !== '/') query.set('next', safeNext(value.next));
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

function localStorageOrNull(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}
