import { hasCode, problemOf, type ProblemStore } from './problems';
import type { TokenManager } from './tokens';

type FetchLike = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

async function readJson(response: Response): Promise<unknown> {
  const type = response.headers.get('Content-Type') ?? '';
  if (!type.includes('json')) return null;
  try {
    return await response.clone().json();
  } catch {
    return null;
  }
}

function withToken(init: RequestInit | undefined, token: string | null): RequestInit {
  const headers = new Headers(init?.headers);
  if (token) headers.set('Authorization', `Bearer ${token}`);
  else headers.delete('Authorization');
  return { ...init, headers, credentials: 'include' };
}

/**
 * The fetch that Apollo's HttpLink uses: adds the in-memory access token and, when the
 * server answers UNAUTHENTICATED to a request that carried one, refreshes once (shared with
 * every other request and tab) and retries once. A retry that is refused again signs out
 * instead of refreshing again, so a broken session can never loop.
 */
export function createAuthFetch(options: {
  tokens: TokenManager;
  problems?: ProblemStore;
  fetch?: FetchLike;
}): FetchLike {
  const { tokens, problems } = options;
  const send: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));

  async function attempt(input: RequestInfo | URL, init: RequestInit | undefined, token: string | null) {
    const response = await send(input, withToken(init, token));
    const body = await readJson(response);
    const problem = problemOf(response.status, response.headers, body);
    if (problem) problems?.report(problem.kind, problem.retryAfter);
    else if (response.ok) problems?.clear();
    return { response, unauthenticated: hasCode(body, 'UNAUTHENTICATED') };
  }

  return async (input, init) => {
    const token = tokens.getAccessToken();
    const first = await attempt(input, init, token);
    if (!first.unauthenticated || token === null) return first.response;
    const fresh = await tokens.refresh(token);
    if (fresh === null) {
      // Signed out now (the refresh was refused): public data still loads, anonymously.
      if (tokens.getState().status === 'signed-out') return (await attempt(input, init, null)).response;
      return first.response;
    }
    const second = await attempt(input, init, fresh);
    if (second.unauthenticated) {
      // A brand-new token refused: the session is gone; stop here rather than loop.
      tokens.signOut('session-ended');
    }
    return second.response;
  };
}
