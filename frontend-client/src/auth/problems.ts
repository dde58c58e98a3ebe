/**
 * Temporary trouble reported by the server: too many requests (RATE_LIMITED) or the service
 * being down (SERVICE_UNAVAILABLE, HTTP 503). The banner shows it with a countdown.
 */
export interface ApiProblem {
  kind: 'rate-limited' | 'unavailable';
  /** Seconds to wait, from `extensions.retryAfter` or the Retry-After header. */
  retryAfter: number | null;
  at: number;
}

type Listener = (problem: ApiProblem | null) => void;

export class ProblemStore {
  private problem: ApiProblem | null = null;
  private listeners = new Set<Listener>();

  get(): ApiProblem | null {
    return this.problem;
  }

  report(kind: ApiProblem['kind'], retryAfter: number | null): void {
    this.set({ kind, retryAfter, at: Date.now() });
  }

  clear(): void {
    this.set(null);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private set(problem: ApiProblem | null): void {
    this.problem = problem;
    for (const listener of this.listeners) listener(problem);
  }
}

/** Seconds from a Retry-After header (delta-seconds or an HTTP date), or null. */
export function parseRetryAfter(value: string | null | undefined): number | null {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

function asSeconds(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? Math.max(0, Math.ceil(value)) : null;
}

interface GraphQLErrorLike {
  message?: string;
  extensions?: { code?: unknown; retryAfter?: unknown };
}

/** The top-level error codes of a GraphQL response body. */
export function topLevelErrors(body: unknown): GraphQLErrorLike[] {
  if (body && typeof body === 'object' && Array.isArray((body as { errors?: unknown }).errors)) {
    return (body as { errors: GraphQLErrorLike[] }).errors;
  }
  return [];
}

export function hasCode(body: unknown, code: string): boolean {
  return topLevelErrors(body).some((error) => error.extensions?.code === code);
}

/**
 * The trouble a response reports, if any: HTTP 503 or 429, or a top-level error with code
 * SERVICE_UNAVAILABLE or RATE_LIMITED. `retryAfter` comes from the error's extensions, else
 * from the Retry-After header.
 */
export function problemOf(
  status: number,
  headers: { get(name: string): string | null },
  body: unknown,
): { kind: ApiProblem['kind']; retryAfter: number | null } | null {
  const header = parseRetryAfter(headers.get('Retry-After'));
  for (const error of topLevelErrors(body)) {
    const code = error.extensions?.code;
    if (code === 'SERVICE_UNAVAILABLE' || code === 'RATE_LIMITED') {
      return {
        kind: code === 'RATE_LIMITED' ? 'rate-limited' : 'unavailable',
        retryAfter: asSeconds(error.extensions?.retryAfter) ?? header,
      };
    }
  }
  if (status === 503 || status === 502 || status === 504) return { kind: 'unavailable', retryAfter: header };
  if (status === 429) return { kind: 'rate-limited', retryAfter: header };
  return null;
}
