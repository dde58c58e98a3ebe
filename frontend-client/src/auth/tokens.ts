/**
 * The web client's token logic, independent of React and Apollo so that it can be tested
 * on its own (see tokens.test.ts).
 *
 * - The access token lives in memory only (this object); nothing is written to storage.
 * - The refresh token is the HttpOnly `gh_refresh` cookie, which JavaScript never sees:
 *   `refresh` is called with `transport: COOKIE` and `credentials: 'include'`.
 * - One refresh at a time across every tab of this origin: the Web Locks API serialises the
 *   refresh and a BroadcastChannel hands its result to the other tabs, so a tab that waited
 *   for the lock finds the fresh token and does not spend the cookie again.
 * - A refresh the server refuses (expired, revoked, reused, missing) signs out in every tab
 *   and says why; a refresh that could not reach the server keeps the session for a later try.
 */

/** Why the user is signed out, shown on the sign-in page. */
export type SignOutReason =
  | 'signed-out'
  | 'signed-out-everywhere'
  | 'session-ended'
  | 'session-expired'
  | 'session-revoked'
  | 'token-reused'
  | 'account-disabled'
  | 'password-reset'
  | 'account-secured';

export const SIGN_OUT_MESSAGES: Record<SignOutReason, string> = {
  'signed-out': 'You signed out.',
  'signed-out-everywhere': 'You signed out on every device.',
  'session-ended': 'Your session has ended. Please sign in again.',
  'session-expired': 'Your session expired. Please sign in again.',
  'session-revoked': 'You were signed out: this session was ended on another device or everywhere.',
  'token-reused':
    'For your safety you were signed out: this session was used from somewhere else.',
  'account-disabled': 'This account has been disabled.',
  'password-reset': 'Your password was changed. Please sign in with the new one.',
  'account-secured':
    'Every session was signed out and the factor was removed. Sign in again and change your password.',
};

/**
 * The refresh error codes the server answers with, mapped to a reason. INVALID_TOKEN and
 * REFRESH_TOKEN_MISSING (no cookie was presented) mean the same to a browser: no session.
 */
export function reasonForRefreshError(code: string): SignOutReason {
  switch (code) {
    case 'TOKEN_EXPIRED':
      return 'session-expired';
    case 'SESSION_REVOKED':
      return 'session-revoked';
    case 'TOKEN_REUSED':
      return 'token-reused';
    case 'ACCOUNT_DISABLED':
      return 'account-disabled';
    case 'INVALID_TOKEN':
    case 'REFRESH_TOKEN_MISSING':
    default:
      return 'session-ended';
  }
}

export interface Session {
  accessToken: string;
  /** ISO date-time. */
  expiresAt: string | null;
}

/** What one call of the server's `refresh` mutation gave. */
export type RefreshOutcome =
  | { kind: 'ok'; session: Session }
  /** The server refused: the session is over. `code` is the payload error code. */
  | { kind: 'refused'; code: string; message: string }
  /** The server could not be asked (network, 5xx, rate limit): try again later. */
  | { kind: 'unavailable'; message: string; retryAfter?: number };

export type AuthState =
  | { status: 'unknown' }
  | { status: 'signed-in'; session: Session }
  | { status: 'signed-out'; reason: SignOutReason | null };

/** The part of the Web Locks API used here (navigator.locks). */
export interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

/** The part of BroadcastChannel used here. */
export interface ChannelLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  close(): void;
}

export interface TokenManagerOptions {
  /** Calls the server's `refresh(transport: COOKIE)` once. */
  callRefresh: () => Promise<RefreshOutcome>;
  locks?: LockManagerLike | null;
  channel?: ChannelLike | null;
  lockName?: string;
  /**
   * How long a tab keeps the lock after announcing a new token: the announcement must reach
   * the tabs queued on the lock before they take it, or they would spend the cookie again.
   */
  settleMs?: number;
}

type Message =
  | { type: 'session'; session: Session }
  | { type: 'signed-out'; reason: SignOutReason | null };

type Listener = (state: AuthState) => void;

export class TokenManager {
  private state: AuthState = { status: 'unknown' };
  private listeners = new Set<Listener>();
  private inFlight: Promise<string | null> | null = null;
  private readonly callRefresh: () => Promise<RefreshOutcome>;
  private readonly locks: LockManagerLike | null;
  private readonly channel: ChannelLike | null;
  private readonly lockName: string;
  private readonly settleMs: number;
  /** The last transient failure, for the "try again" message. */
  lastUnavailable: { message: string; retryAfter?: number } | null = null;
  /** How many times this tab called the server's refresh (for tests and diagnostics). */
  refreshCalls = 0;

  constructor(options: TokenManagerOptions) {
    this.callRefresh = options.callRefresh;
    this.locks = options.locks ?? null;
    this.channel = options.channel ?? null;
    this.lockName = options.lockName ?? 'gatehouse-refresh';
    this.settleMs = options.settleMs ?? 50;
    this.channel?.addEventListener('message', (event) => this.onMessage(event.data as Message));
  }

  getState(): AuthState {
    return this.state;
  }

  getAccessToken(): string | null {
    return this.state.status === 'signed-in' ? this.state.session.accessToken : null;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** After login or googleLogin: keep the token and tell the other tabs. */
  signedIn(session: Session): void {
    this.setState({ status: 'signed-in', session });
    this.post({ type: 'session', session });
  }

  /** Forget the token here and in every other tab. */
  signOut(reason: SignOutReason | null): void {
    this.setState({ status: 'signed-out', reason });
    this.post({ type: 'signed-out', reason });
  }

  /**
   * On start: restore the session from the refresh cookie. Resolves once the state is known.
   */
  async restore(): Promise<AuthState> {
    if (this.state.status !== 'unknown') return this.state;
    const token = await this.refresh(null);
    if (token === null && this.state.status === 'unknown') {
      // The server could not be reached: show the app signed out rather than hang.
      this.setState({ status: 'signed-out', reason: null });
    }
    return this.state;
  }

  /**
   * Get a fresh access token because `staleToken` was refused (null: there was none).
   * Concurrent callers in this tab share one attempt; other tabs wait on the lock and reuse
   * the result. Resolves to the new token, or null when there is none (signed out, or the
   * server was unavailable).
   */
  refresh(staleToken: string | null): Promise<string | null> {
    if (!this.inFlight) {
      this.inFlight = this.withLock(() => this.refreshHoldingLock(staleToken)).finally(() => {
        this.inFlight = null;
      });
    }
    return this.inFlight;
  }

  close(): void {
    this.channel?.close();
    this.listeners.clear();
  }

  private async refreshHoldingLock(staleToken: string | null): Promise<string | null> {
    // Another tab may have refreshed (or signed out) while this one waited for the lock.
    const current = this.getAccessToken();
    if (current !== null && current !== staleToken) return current;
    if (this.state.status === 'signed-out' && staleToken !== null) return null;
    this.refreshCalls += 1;
    let outcome: RefreshOutcome;
    try {
      outcome = await this.callRefresh();
    } catch (error) {
      outcome = { kind: 'unavailable', message: String(error) };
    }
    if (outcome.kind === 'ok') {
      this.lastUnavailable = null;
      this.signedIn(outcome.session);
      await this.settle();
      return outcome.session.accessToken;
    }
    if (outcome.kind === 'refused') {
      // No session to restore at start is not news; losing one is, and says why.
      const hadSession = staleToken !== null || this.state.status === 'signed-in';
      this.signOut(hadSession ? reasonForRefreshError(outcome.code) : null);
      await this.settle();
      return null;
    }
    this.lastUnavailable = { message: outcome.message, retryAfter: outcome.retryAfter };
    return null;
  }

  private settle(): Promise<void> {
    if (!this.locks || !this.channel || this.settleMs <= 0) return Promise.resolve();
    return new Promise((resolve) => setTimeout(resolve, this.settleMs));
  }

  private withLock<T>(fn: () => Promise<T>): Promise<T> {
    if (!this.locks) return fn();
    return this.locks.request(this.lockName, fn);
  }

  private onMessage(message: Message): void {
    if (message.type === 'session') {
      this.setState({ status: 'signed-in', session: message.session });
    } else if (message.type === 'signed-out') {
      this.setState({ status: 'signed-out', reason: message.reason });
    }
  }

  private post(message: Message): void {
    try {
      this.channel?.postMessage(message);
    } catch {
      // A closed channel (tab going away) must not break signing in or out here.
    }
  }

  private setState(state: AuthState): void {
    this.state = state;
    for (const listener of this.listeners) listener(state);
  }
}

/** The browser's Web Locks and BroadcastChannel, where present. */
export function browserCoordination(name = 'gatehouse-auth'): {
  locks: LockManagerLike | null;
  channel: ChannelLike | null;
} {
  const locks =
    typeof navigator !== 'undefined' && 'locks' in navigator && navigator.locks
      ? {
          request: <T>(lockName: string, callback: () => Promise<T>) =>
            navigator.locks.request(lockName, callback) as Promise<T>,
        }
      : null;
  const channel =
    typeof BroadcastChannel !== 'undefined' ? (new BroadcastChannel(name) as ChannelLike) : null;
  return { locks, channel };
}
