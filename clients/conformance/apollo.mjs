// Apollo Client 4 against a live Gatehouse: normalised cache, relayStylePagination, automatic
// persisted queries (GET for hashed queries) and an error link that refreshes once on
// UNAUTHENTICATED and retries. Run by server/api/tests/test_client_conformance.py.
import { createHash } from "node:crypto";
import {
  ApolloClient,
  ApolloLink,
  CombinedGraphQLErrors,
  HttpLink,
  InMemoryCache,
} from "@apollo/client";
import { ErrorLink } from "@apollo/client/link/error";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";
import { relayStylePagination } from "@apollo/client/utilities";
import { from, switchMap } from "rxjs";
import {
  GRAPHQL_URL,
  RFC3339_UTC,
  check,
  doc,
  verificationToken,
  waitUntilExpired,
} from "./ops.mjs";

const EMAIL = process.env.CONFORMANCE_EMAIL ?? "apollo@example.com";
const PASSWORD = "apollo-conformance-passphrase";
const tokens = { access: null, refresh: null, expiresAt: null };
const seen = { refreshes: 0, apqHashOnlyHits: 0, apqNotFound: 0 };

// What went over the wire, to check the persisted-query protocol.
async function recordingFetch(input, init) {
  const response = await fetch(input, init);
  const url = new URL(typeof input === "string" ? input : input.url);
  const hashOnly = init?.method === "GET" && url.searchParams.has("extensions") && !url.searchParams.has("query");
  const body = await response.clone().json().catch(() => null);
  const notFound = body?.errors?.some((e) => e.extensions?.code === "PERSISTED_QUERY_NOT_FOUND");
  if (notFound) seen.apqNotFound += 1;
  else if (hashOnly && body?.data) seen.apqHashOnlyHits += 1;
  return response;
}

async function refreshTokens() {
  seen.refreshes += 1;
  const response = await fetch(GRAPHQL_URL, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      query:
        "mutation Refresh($t: String) { refresh(refreshToken: $t, transport: BODY) " +
        "{ accessToken accessTokenExpiresAt refreshToken errors { code } } }",
      variables: { t: tokens.refresh },
    }),
  });
  const payload = (await response.json()).data?.refresh;
  check(payload && payload.errors.length === 0, "refresh failed", payload);
  tokens.access = payload.accessToken;
  tokens.refresh = payload.refreshToken;
  tokens.expiresAt = payload.accessTokenExpiresAt;
}

const errorLink = new ErrorLink(({ error, operation, forward }) => {
  const unauthenticated =
    CombinedGraphQLErrors.is(error) &&
    error.errors.some((e) => e.extensions?.code === "UNAUTHENTICATED");
  if (!unauthenticated || operation.getContext().refreshed || !tokens.refresh) return;
  // Refresh once, then run the operation again (through authLink, with the new token).
  operation.setContext({ refreshed: true });
  return from(refreshTokens()).pipe(switchMap(() => forward(operation)));
});

const authLink = new ApolloLink((operation, forward) => {
  operation.setContext(({ headers = {} }) => ({
    headers: tokens.access ? { ...headers, authorization: `Bearer ${tokens.access}` } : headers,
  }));
  return forward(operation);
});

const persistedQueries = new PersistedQueryLink({
  sha256: (query) => createHash("sha256").update(query).digest("hex"),
  useGETForHashedQueries: true,
});

const client = new ApolloClient({
  link: ApolloLink.from([
    errorLink,
    authLink,
    persistedQueries,
    new HttpLink({ uri: GRAPHQL_URL, fetch: recordingFetch }),
  ]),
  cache: new InMemoryCache({
    typePolicies: { Query: { fields: { articles: relayStylePagination() } } },
  }),
});

const users = () => Object.keys(client.cache.extract()).filter((key) => key.startsWith("User:"));

// register → verify (the mail from the sink) → login
const registered = await client.mutate({
  mutation: doc("Register"),
  variables: { input: { email: EMAIL, password: PASSWORD, profile: { displayName: "Apollo" } } },
});
check(registered.data.register.ok, "register failed", registered.data);
const verified = await client.mutate({
  mutation: doc("VerifyEmail"),
  variables: { token: await verificationToken(EMAIL) },
});
check(verified.data.verifyEmail.ok, "verifyEmail failed", verified.data);

const { data: loginData } = await client.mutate({
  mutation: doc("Login"),
  variables: { input: { email: EMAIL, password: PASSWORD }, transport: "BODY" },
});
const login = loginData.login;
check(login.errors.length === 0 && login.accessToken, "login failed", login);
tokens.access = login.accessToken;
tokens.refresh = login.refreshToken;
tokens.expiresAt = login.accessTokenExpiresAt;
check(RFC3339_UTC.test(login.accessTokenExpiresAt), "accessTokenExpiresAt", login.accessTokenExpiresAt);

// me: the same User as login.user, one cache entry, one shape
const { data: meData } = await client.query({ query: doc("Me"), fetchPolicy: "network-only" });
check(meData.me.id === login.user.id, "me and login.user differ", [meData.me, login.user]);
check(meData.me.dateJoined === login.user.dateJoined, "dateJoined differs", [meData.me, login.user]);
check(users().length === 1, "the cache holds the user more than once", users());

// updateProfile: the mutation returns the User, so the cached `me` changes without a refetch
const updated = await client.mutate({
  mutation: doc("UpdateProfile"),
  variables: { input: { displayName: "Apollo Updated", bio: null } },
});
check(updated.data.updateProfile.errors.length === 0, "updateProfile", updated.data);
const cachedMe = client.readQuery({ query: doc("Me") });
check(cachedMe.me.profile.displayName === "Apollo Updated", "cached me not updated", cachedMe);
check(cachedMe.me.profile.bio === "", "bio not cleared by null", cachedMe);

// page through articles with relayStylePagination
const pageSize = 3;
const first = await client.query({ query: doc("Articles"), variables: { first: pageSize } });
let page = first.data.articles;
const total = page.totalCount;
const observable = client.watchQuery({ query: doc("Articles"), variables: { first: pageSize } });
let pages = 1;
while (page.pageInfo.hasNextPage) {
  const more = await observable.fetchMore({ variables: { after: page.pageInfo.endCursor } });
  page = more.data.articles;
  pages += 1;
  check(pages <= 50, "pagination does not end");
}
const merged = client.readQuery({ query: doc("Articles"), variables: { first: pageSize } }).articles;
const slugs = merged.edges.map((edge) => edge.node.slug);
check(slugs.length === total && new Set(slugs).size === total, "pages overlap or miss", { total, slugs });
check(merged.edges.every((e) => e.__typename === "ArticleEdge"), "edge type", merged.edges[0]);

// Relay refetch by global id
const { data: nodeData } = await client.query({
  query: doc("NodeById"),
  variables: { id: merged.edges[0].node.id },
});
check(nodeData.node?.slug === slugs[0], "node(id:) did not refetch the article", nodeData);

// an expired access token: UNAUTHENTICATED → one refresh → the retry succeeds
await waitUntilExpired(tokens.expiresAt);
const refreshesBefore = seen.refreshes;
const { data: again } = await client.query({ query: doc("Me"), fetchPolicy: "network-only" });
check(again.me.id === login.user.id, "me after refresh", again);
check(seen.refreshes === refreshesBefore + 1, "expected exactly one refresh", seen);

// logout ends the session: its refresh token stops working
const out = await client.mutate({
  mutation: doc("Logout"),
  variables: { refreshToken: tokens.refresh },
});
check(out.data.logout.ok, "logout", out.data);
const after = await client.mutate({
  mutation: doc("Refresh"),
  variables: { refreshToken: tokens.refresh, transport: "BODY" },
});
check(after.data.refresh.errors.length > 0, "refresh after logout should fail", after.data);

check(seen.apqNotFound >= 1 && seen.apqHashOnlyHits >= 1, "persisted queries not exercised", seen);
console.log(JSON.stringify({ client: "apollo", pages, articles: total, ...seen }));
