// Type-checked with `tsc --strict`: the generated types describe what the scripts rely on.
import type { ResultOf, VariablesOf } from "@graphql-typed-document-node/core";
import {
  ArticlesDocument,
  LoginDocument,
  MeDocument,
  NodeByIdDocument,
  UpdateProfileDocument,
} from "./gql/graphql";
import type { ErrorCode, ProfileInput, UserFieldsFragment } from "./gql/graphql";

type LoginResult = ResultOf<typeof LoginDocument>;

export function userOf(result: LoginResult): UserFieldsFragment | null | undefined {
  return result.login.user;
}

// `me` and `login.user` share one fragment, hence one shape and one cache entry.
export function sameUser(me: ResultOf<typeof MeDocument>["me"], login: LoginResult): boolean {
  return me?.id === login.login.user?.id;
}

// DateTime is an RFC 3339 string (the scalar says so with @specifiedBy).
export const joined = (user: UserFieldsFragment): Date => new Date(user.dateJoined);

// An explicit null clears a field; leaving it out keeps it.
export const clearBio: VariablesOf<typeof UpdateProfileDocument> = { input: { bio: null } };
export const onlyName: ProfileInput = { displayName: "Ada" };

const RATE_LIMITED: ErrorCode = "RATE_LIMITED";

export function retryDelay(result: LoginResult): number | null {
  const limited = result.login.errors.find((error) => error.code === RATE_LIMITED);
  return limited?.retryAfter ?? null;
}

export function nextCursor(page: ResultOf<typeof ArticlesDocument>): string | null {
  const info = page.articles.pageInfo;
  return info.hasNextPage ? (info.endCursor ?? null) : null;
}

export function slugOf(result: ResultOf<typeof NodeByIdDocument>): string | null {
  const node = result.node;
  return node && node.__typename === "Article" ? node.slug : null;
}
