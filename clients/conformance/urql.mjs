// urql against a live Gatehouse: the document cache and @urql/exchange-auth, whose
// didAuthError reads extensions.code and whose refreshAuth runs `refresh` once.
// Run by server/api/tests/test_client_conformance.py.
import { Client, cacheExchange, fetchExchange } from "@urql/core";
import { authExchange } from "@urql/exchange-auth";
import { GRAPHQL_URL, check, doc, verificationToken, waitUntilExpired } from "./ops.mjs";

const EMAIL = process.env.CONFORMANCE_EMAIL ?? "urql@example.com";
const PASSWORD = "urql-conformance-passphrase";
const tokens = { access: null, refresh: null, expiresAt: null };
let refreshes = 0;

const client = new Client({
  url: GRAPHQL_URL,
  preferGetMethod: false,
  exchanges: [
    cacheExchange,
    authExchange(async (utils) => ({
      addAuthToOperation(operation) {
        if (!tokens.access) return operation;
        return utils.appendHeaders(operation, { Authorization: `Bearer ${tokens.access}` });
      },
      didAuthError(error) {
        return error.graphQLErrors.some((e) => e.extensions?.code === "UNAUTHENTICATED");
      },
      async refreshAuth() {
        refreshes += 1;
        const result = await utils.mutate(doc("Refresh"), {
          refreshToken: tokens.refresh,
          transport: "BODY",
        });
        const payload = result.data?.refresh;
        check(payload && payload.errors.length === 0, "refresh failed", result.data ?? result.error);
        tokens.access = payload.accessToken;
        tokens.refresh = payload.refreshToken;
        tokens.expiresAt = payload.accessTokenExpiresAt;
      },
    })),
    fetchExchange,
  ],
});

async function run(kind, name, variables = {}, context = {}) {
  const result = await client[kind](doc(name), variables, context).toPromise();
  check(!result.error, `${name} failed`, result.error?.message);
  return result.data;
}

const registered = await run("mutation", "Register", {
  input: { email: EMAIL, password: PASSWORD },
});
check(registered.register.ok, "register", registered);
const verified = await run("mutation", "VerifyEmail", { token: await verificationToken(EMAIL) });
check(verified.verifyEmail.ok, "verifyEmail", verified);

const { login } = await run("mutation", "Login", {
  input: { email: EMAIL, password: PASSWORD },
  transport: "BODY",
});
check(login.errors.length === 0, "login", login);
tokens.access = login.accessToken;
tokens.refresh = login.refreshToken;
tokens.expiresAt = login.accessTokenExpiresAt;

const { me } = await run("query", "Me");
check(me.id === login.user.id && me.dateJoined === login.user.dateJoined, "one user shape", [me, login.user]);

// updateProfile returns a User: urql's document cache drops every query that showed a User,
// so the next (cache-first) `me` comes back changed.
const updated = await run("mutation", "UpdateProfile", { input: { displayName: "urql Updated" } });
check(updated.updateProfile.errors.length === 0, "updateProfile", updated);
const { me: meAfter } = await run("query", "Me");
check(meAfter.profile.displayName === "urql Updated", "me after updateProfile", meAfter);

// page through articles by cursor
const slugs = [];
let after = null;
let total = 0;
for (;;) {
  const { articles } = await run("query", "Articles", { first: 4, after });
  total = articles.totalCount;
  slugs.push(...articles.edges.map((edge) => edge.node.slug));
  if (!articles.pageInfo.hasNextPage) break;
  after = articles.pageInfo.endCursor;
}
check(slugs.length === total && new Set(slugs).size === total, "pages", { total, slugs });

// an expired access token: didAuthError (extensions.code) → refreshAuth once → retried
await waitUntilExpired(tokens.expiresAt);
const before = refreshes;
const { me: meExpired } = await run("query", "Me", {}, { requestPolicy: "network-only" });
check(meExpired.id === login.user.id, "me after refresh", meExpired);
check(refreshes === before + 1, "expected exactly one refresh", { before, refreshes });

const out = await run("mutation", "Logout", { refreshToken: tokens.refresh });
check(out.logout.ok, "logout", out);
console.log(JSON.stringify({ client: "urql", articles: total, refreshes }));
