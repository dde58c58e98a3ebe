import { ApolloClient, ApolloLink } from '@apollo/client';
import { of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createCache } from './apollo';
import type { MeQuery as MeData } from './gql/graphql';
import { MeQuery, UpdateProfileMutation } from './graphql/operations';

const profile = {
  __typename: 'Profile' as const,
  displayName: 'Ada',
  firstName: 'Ada',
  lastName: 'Lovelace',
  shortIntro: 'Reads everything.',
  bio: '',
  website: '',
  links: [],
};

const viewer = {
  __typename: 'User' as const,
  id: '5b4f0c8e-2d1a-4c0e-9a51-0f7e3b8a1c22',
  email: 'ada@example.com',
  emailVerified: true,
  dateJoined: '2026-11-30T07:41:04.123456Z',
  registerMethod: 'EMAIL' as const,
  profile,
  subscription: null,
};

describe('the normalised cache', () => {
  it('updates the watched `me` from the updateProfile payload alone', async () => {
    const answered = {
      updateProfile: {
        __typename: 'UpdateProfilePayload',
        user: { ...viewer, profile: { ...profile, displayName: 'Countess', shortIntro: '' } },
        errors: [],
      },
    };
    // The server's answer to the mutation; nothing else writes to the cache.
    const link = new ApolloLink(() => of({ data: answered }));
    const client = new ApolloClient({ cache: createCache(), link });
    const cached = { __typename: 'Query', me: viewer };
    client.writeQuery({ query: MeQuery, data: cached });

    const seen: (string | undefined)[] = [];
    const subscription = client
      .watchQuery({ query: MeQuery, fetchPolicy: 'cache-only' })
      .subscribe(({ data }) => seen.push((data as MeData | undefined)?.me?.profile.displayName));

    await client.mutate({ mutation: UpdateProfileMutation, variables: { input: { displayName: 'Countess', shortIntro: null } } });

    const me = client.readQuery({ query: MeQuery })?.me;
    expect(me?.profile.displayName).toBe('Countess');
    expect(me?.profile.shortIntro).toBe('');
    expect(me?.email).toBe('ada@example.com');
    expect(seen.at(0)).toBe('Ada');
    expect(seen.at(-1)).toBe('Countess');
    subscription.unsubscribe();
  });
});
