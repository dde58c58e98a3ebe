import { print } from 'graphql';
import { RefreshMutation } from '../graphql/operations';
import type { RefreshMutation as RefreshData } from '../gql/graphql';
import { parseRetryAfter, problemOf, type ProblemStore } from './problems';
import type { RefreshOutcome } from './tokens';

const REFRESH_QUERY = print(RefreshMutation);

/**
 * One call of `refresh(transport: COOKIE)`: the browser sends the HttpOnly refresh cookie
 * (credentials: 'include') and stores the rotated one the answer sets.
 */
export async function callRefresh(
  apiUrl: string,
  problems?: ProblemStore,
  send: typeof fetch = (input, init) => fetch(input, init),
): Promise<RefreshOutcome> {
  let response: Response;
  try {
    response = await send(apiUrl, {
      method: 'POST',
      credentials: 'include',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ query: REFRESH_QUERY, operationName: 'Refresh' }),
    });
  } catch {
    return { kind: 'unavailable', message: 'The server cannot be reached.' };
  }
  let body: { data?: RefreshData | null; errors?: unknown[] } | null = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  const problem = problemOf(response.status, response.headers, body);
  if (problem) {
    problems?.report(problem.kind, problem.retryAfter);
    return { kind: 'unavailable', message: 'The server is busy.', retryAfter: problem.retryAfter ?? undefined };
  }
  const payload = body?.data?.refresh;
  if (!payload) {
    return { kind: 'unavailable', message: `Unexpected answer (HTTP ${response.status}).` };
  }
  const [error] = payload.errors;
  if (error) {
    if (error.code === 'RATE_LIMITED') {
      // The payload's own wait; the Retry-After header (if any) when it has none.
      const retryAfter = error.retryAfter ?? parseRetryAfter(response.headers.get('Retry-After'));
      problems?.report('rate-limited', retryAfter ?? null);
      return { kind: 'unavailable', message: error.message, retryAfter: retryAfter ?? undefined };
    }
    return { kind: 'refused', code: error.code, message: error.message };
  }
  if (!payload.accessToken) {
    return { kind: 'refused', code: 'INVALID_TOKEN', message: 'No access token was issued.' };
  }
  return {
    kind: 'ok',
    session: { accessToken: payload.accessToken, expiresAt: payload.accessTokenExpiresAt ?? null },
  };
}
