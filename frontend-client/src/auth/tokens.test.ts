import { BroadcastChannel as NodeBroadcastChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { createAuthFetch } from './authFetch';
import { ProblemStore } from './problems';
import { callRefresh } from './refreshCall';
import {
  TokenManager,
  type ChannelLike,
  type LockManagerLike,
  type RefreshOutcome,
} from './tokens';

/**
 * Exclusive Web Locks semantics (what navigator.locks.request gives every tab of an origin):
 * callbacks for one name run one at a time, in request order.
 */
class ExclusiveLocks implements LockManagerLike {
  private tails = new Map<string, Promise<unknown>>();
  request<T>(name: string, callback: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(name) ?? Promise.resolve();
    const run = previous.then(callback, callback);
    this.tails.set(name, run.catch(() => undefined));
    return run;
  }
}

/**
 * The server's side of `refresh`: a rotating refresh cookie shared by every tab (the browser
 * has one cookie jar), access tokens named after the generation, and revocation.
 */
class AuthServer {
  generation = 1;
  revoked = false;
  refreshCalls = 0;
  refusal: string | null = null;
  /** Tokens the API accepts; refreshing makes the previous one stale. */
  valid = new Set<string>(['access-1']);
  delayMs = 20;

  async refresh(): Promise<RefreshOutcome> {
    this.refreshCalls += 1;
    await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.revoked) return { kind: 'refused', code: 'SESSION_REVOKED', message: 'ended' };
    if (this.refusal) return { kind: 'refused', code: this.refusal, message: 'no' };
    this.generation += 1;
    const token = `access-${this.generation}`;
    this.valid = new Set([token]);
    return { kind: 'ok', session: { accessToken: token, expiresAt: null } };
  }

  /** The GraphQL endpoint: `me` needs a valid bearer; a stale one is UNAUTHENTICATED. */
  fetch = async (_input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    this.apiCalls.push(new Headers(init?.headers).get('Authorization'));
    const bearer = new Headers(init?.headers).get('Authorization')?.replace('Bearer ', '') ?? null;
    if (bearer !== null && (this.revoked || !this.valid.has(bearer))) {
      return json({ data: null, errors: [{ message: 'Token expired', extensions: { code: 'UNAUTHENTICATED' } }] });
    }
    return json({ data: { me: bearer ? { id: 'u1' } : null } });
  };
  apiCalls: (string | null)[] = [];
}

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

const opened: TokenManager[] = [];
afterEach(() => {
  for (const manager of opened.splice(0)) manager.close();
});

function tab(server: AuthServer, shared?: { locks: LockManagerLike; channelName: string }) {
  const manager = new TokenManager({
    callRefresh: () => server.refresh(),
    locks: shared?.locks ?? null,
    channel: shared ? (new NodeBroadcastChannel(shared.channelName) as unknown as ChannelLike) : null,
    settleMs: 30,
  });
  opened.push(manager);
  const authFetch = createAuthFetch({ tokens: manager, fetch: (input, init) => server.fetch(input, init) });
  return { manager, authFetch };
}

async function me(authFetch: ReturnType<typeof createAuthFetch>) {
  const response = await authFetch('http://api.test/graphql/', { method: 'POST', body: '{"query":"{me{id}}"}' });
  return (await response.json()) as { data: { me: { id: string } | null } | null; errors?: unknown[] };
}

describe('refresh on UNAUTHENTICATED', () => {
  it('refreshes once and retries the request with the new token', async () => {
    const server = new AuthServer();
    const { manager, authFetch } = tab(server);
    manager.signedIn({ accessToken: 'access-1', expiresAt: null });
    server.valid = new Set(['something-else']); // access-1 has expired

    const body = await me(authFetch);

    expect(body.data?.me).toEqual({ id: 'u1' });
    expect(server.refreshCalls).toBe(1);
    expect(server.apiCalls).toEqual(['Bearer access-1', 'Bearer access-2']);
    expect(manager.getAccessToken()).toBe('access-2');
  });

  it('does not loop when even the fresh token is refused: one refresh, then signed out', async () => {
    const server = new AuthServer();
    const { manager, authFetch } = tab(server);
    manager.signedIn({ accessToken: 'access-1', expiresAt: null });
    // The API refuses every token although refresh keeps issuing them.
    let apiCalls = 0;
    server.fetch = async () => {
      apiCalls += 1;
      return json({ data: null, errors: [{ message: 'no', extensions: { code: 'UNAUTHENTICATED' } }] });
    };

    const body = await me(authFetch);

    expect(body.errors).toHaveLength(1);
    expect(server.refreshCalls).toBe(1);
    expect(apiCalls).toBe(2);
    expect(manager.getState()).toEqual({ status: 'signed-out', reason: 'session-ended' });
  });

  it('shares one refresh among concurrent requests of a tab', async () => {
    const server = new AuthServer();
    const { manager, authFetch } = tab(server);
    manager.signedIn({ accessToken: 'access-1', expiresAt: null });
    server.valid = new Set();

    const bodies = await Promise.all([1, 2, 3, 4, 5].map(() => me(authFetch)));

    expect(bodies.every((body) => body.data?.me?.id === 'u1')).toBe(true);
    expect(server.refreshCalls).toBe(1);
  });

  it('does not refresh for a request that carried no token', async () => {
    const server = new AuthServer();
    const { authFetch } = tab(server);
    server.fetch = async () =>
      json({ data: null, errors: [{ message: 'sign in', extensions: { code: 'UNAUTHENTICATED' } }] });

    await me(authFetch);

    expect(server.refreshCalls).toBe(0);
  });
});

describe('across tabs', () => {
  it('refreshes once for two tabs that hit an expired token at the same time', async () => {
    const server = new AuthServer();
    const shared = { locks: new ExclusiveLocks(), channelName: `t-${Math.random()}` };
    const a = tab(server, shared);
    const b = tab(server, shared);
    a.manager.signedIn({ accessToken: 'access-1', expiresAt: null });
    await new Promise((resolve) => setTimeout(resolve, 20)); // B hears of the session
    expect(b.manager.getAccessToken()).toBe('access-1');
    server.valid = new Set();

    const [fromA, fromB] = await Promise.all([me(a.authFetch), me(b.authFetch)]);

    expect(fromA.data?.me?.id).toBe('u1');
    expect(fromB.data?.me?.id).toBe('u1');
    expect(server.refreshCalls).toBe(1);
    expect(a.manager.getAccessToken()).toBe('access-2');
    expect(b.manager.getAccessToken()).toBe('access-2');
  });

  it('signs every tab out when the refresh is refused, and says why', async () => {
    const server = new AuthServer();
    const shared = { locks: new ExclusiveLocks(), channelName: `t-${Math.random()}` };
    const a = tab(server, shared);
    const b = tab(server, shared);
    a.manager.signedIn({ accessToken: 'access-1', expiresAt: null });
    await new Promise((resolve) => setTimeout(resolve, 20));
    server.revoked = true; // "sign out everywhere" on another device

    const [fromA, fromB] = await Promise.all([me(a.authFetch), me(b.authFetch)]);

    // Public data still loads, anonymously; nobody is signed in any more.
    expect(fromA.data?.me).toBeNull();
    expect(fromB.data?.me).toBeNull();
    expect(server.refreshCalls).toBe(1);
    expect(a.manager.getState()).toEqual({ status: 'signed-out', reason: 'session-revoked' });
    expect(b.manager.getState()).toEqual({ status: 'signed-out', reason: 'session-revoked' });
  });
});

describe('sign-out on failure', () => {
  it.each([
    ['INVALID_TOKEN', 'session-ended'],
    ['REFRESH_TOKEN_MISSING', 'session-ended'],
    ['TOKEN_EXPIRED', 'session-expired'],
    ['TOKEN_REUSED', 'token-reused'],
  ])('a refresh refused with %s signs out with the reason %s', async (code, reason) => {
    const server = new AuthServer();
    const { manager, authFetch } = tab(server);
    manager.signedIn({ accessToken: 'access-1', expiresAt: null });
    server.valid = new Set();
    server.refusal = code;

    await me(authFetch);

    expect(manager.getState()).toEqual({ status: 'signed-out', reason });
    expect(manager.getAccessToken()).toBeNull();
  });

  it('keeps the session when the server cannot be reached, for a later try', async () => {
    const server = new AuthServer();
    const manager = new TokenManager({
      callRefresh: async () => ({ kind: 'unavailable', message: 'down', retryAfter: 30 }),
    });
    opened.push(manager);
    manager.signedIn({ accessToken: 'access-1', expiresAt: null });
    server.valid = new Set();
    const authFetch = createAuthFetch({ tokens: manager, fetch: server.fetch });

    const body = await me(authFetch);

    expect(body.errors).toHaveLength(1);
    expect(manager.getState().status).toBe('signed-in');
    expect(manager.lastUnavailable).toEqual({ message: 'down', retryAfter: 30 });
  });

  it('restores the session on start, and starts signed out without a message when there is none', async () => {
    const server = new AuthServer();
    const { manager } = tab(server);
    expect((await manager.restore()).status).toBe('signed-in');

    const empty = new AuthServer();
    empty.refusal = 'REFRESH_TOKEN_MISSING';
    const fresh = tab(empty).manager;
    expect(await fresh.restore()).toEqual({ status: 'signed-out', reason: null });
  });
});

describe('callRefresh', () => {
  const send = (response: Response) => async () => response;

  it('reads a new access token', async () => {
    const outcome = await callRefresh(
      'http://api.test/graphql/',
      undefined,
      send(json({ data: { refresh: { accessToken: 'a', accessTokenExpiresAt: '2030-01-01T00:00:00.000000Z', errors: [] } } })),
    );
    expect(outcome).toEqual({ kind: 'ok', session: { accessToken: 'a', expiresAt: '2030-01-01T00:00:00.000000Z' } });
  });

  it('reports a refusal with its code', async () => {
    const outcome = await callRefresh(
      'http://api.test/graphql/',
      undefined,
      send(json({ data: { refresh: { accessToken: null, accessTokenExpiresAt: null, errors: [{ field: null, message: 'gone', code: 'TOKEN_REUSED' }] } } })),
    );
    expect(outcome).toEqual({ kind: 'refused', code: 'TOKEN_REUSED', message: 'gone' });
  });

  it("takes a payload RATE_LIMITED error's wait from Error.retryAfter", async () => {
    const problems = new ProblemStore();
    const limited = { field: null, message: 'Too many refreshes.', code: 'RATE_LIMITED', retryAfter: 9 };
    const outcome = await callRefresh(
      'http://api.test/graphql/',
      problems,
      send(json({ data: { refresh: { accessToken: null, accessTokenExpiresAt: null, errors: [limited] } } }, 200, { 'Retry-After': '60' })),
    );
    expect(outcome).toEqual({ kind: 'unavailable', message: 'Too many refreshes.', retryAfter: 9 });
    expect(problems.get()).toMatchObject({ kind: 'rate-limited', retryAfter: 9 });
  });

  it('treats SERVICE_UNAVAILABLE (HTTP 503) as a retry later, with its retryAfter', async () => {
    const problems = new ProblemStore();
    const outcome = await callRefresh(
      'http://api.test/graphql/',
      problems,
      send(json({ errors: [{ message: 'down', extensions: { code: 'SERVICE_UNAVAILABLE', retryAfter: 12 } }] }, 503, { 'Retry-After': '30' })),
    );
    expect(outcome.kind).toBe('unavailable');
    expect(problems.get()).toMatchObject({ kind: 'unavailable', retryAfter: 12 });
  });

  it('takes Retry-After from the header on a rate limit without extensions', async () => {
    const problems = new ProblemStore();
    const server = new AuthServer();
    const manager = new TokenManager({ callRefresh: () => server.refresh() });
    opened.push(manager);
    const authFetch = createAuthFetch({
      tokens: manager,
      problems,
      fetch: async () => json({ errors: [{ message: 'slow down', extensions: { code: 'RATE_LIMITED' } }] }, 429, { 'Retry-After': '7' }),
    });
    await me(authFetch);
    expect(problems.get()).toMatchObject({ kind: 'rate-limited', retryAfter: 7 });
  });
});
