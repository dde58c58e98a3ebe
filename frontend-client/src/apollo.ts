import { ApolloClient, HttpLink, InMemoryCache } from '@apollo/client';
import { relayStylePagination } from '@apollo/client/utilities';
import { createAuthFetch } from './auth/authFetch';
import { ProblemStore } from './auth/problems';
import { callRefresh } from './auth/refreshCall';
import { TokenManager, browserCoordination } from './auth/tokens';
import { API_URL } from './config';

/**
 * The normalised cache: one entry per article (by slug), plan (by slug) and user (by id), so
 * a mutation answering with the viewer (`updateProfile { user }`) updates `me` everywhere.
 */
export function createCache(): InMemoryCache {
  return new InMemoryCache({
    typePolicies: {
      Query: {
        fields: {
          // One growing list of articles across "Load more" pages, keyed by the cursors.
          articles: relayStylePagination(),
          // The security log's "Load more" pages, merged the same way.
          securityEvents: relayStylePagination(),
          article: {
            read(existing, { args, toReference }) {
              return existing ?? (args?.slug ? toReference({ __typename: 'Article', slug: args.slug }) : undefined);
            },
          },
        },
      },
      // The list and the article page share one normalised entry per article.
      Article: { keyFields: ['slug'] },
      Plan: { keyFields: ['slug'] },
      User: { fields: { profile: { merge: true }, subscription: { merge: false } } },
    },
  });
}

/** The token manager, problem store and Apollo client of this tab. */
export function createServices(apiUrl: string = API_URL) {
  const problems = new ProblemStore();
  const { locks, channel } = browserCoordination();
  const tokens = new TokenManager({
    callRefresh: () => callRefresh(apiUrl, problems),
    locks,
    channel,
  });
  const cache = createCache();
  const client = new ApolloClient({
    link: new HttpLink({
      uri: apiUrl,
      credentials: 'include',
      fetch: createAuthFetch({ tokens, problems }),
    }),
    cache,
  });
  return { tokens, problems, client };
}

export type Services = ReturnType<typeof createServices>;
