import { useApolloClient, useMutation, useQuery } from '@apollo/client/react';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { LogoutAllMutation, LogoutMutation, MeQuery } from '../graphql/operations';
import type { ViewerFieldsFragment } from '../gql/graphql';
import { onReturn } from './onReturn';
import type { ProblemStore } from './problems';
import type { AuthState, SignOutReason, TokenManager } from './tokens';

interface AuthContextValue {
  state: AuthState;
  viewer: ViewerFieldsFragment | null;
  tokens: TokenManager;
  problems: ProblemStore;
  /** After login or googleLogin answered with a token. */
  signedIn(accessToken: string, expiresAt: string | null): void;
  signOut(): Promise<void>;
  /**
   * Ends every session (logoutAll) and signs out here; answers the payload's errors, e.g.
   * STEP_UP_REQUIRED, in which case nothing ended.
   */
  signOutEverywhere(): Promise<readonly { code: string; message: string; field?: string | null; retryAfter?: number | null }[]>;
  /** Forget the session here without asking the server (it already ended it). */
  ended(reason: SignOutReason): void;
}

const AuthContext = createContext<AuthContextValue | null>(null);

export function AuthProvider(props: {
  tokens: TokenManager;
  problems: ProblemStore;
  children: ReactNode;
}) {
  const { tokens, problems } = props;
  const client = useApolloClient();
  const [state, setState] = useState<AuthState>(tokens.getState());

  useEffect(() => {
    let previous = tokens.getState();
    const unsubscribe = tokens.subscribe((next) => {
      if (next.status === 'signed-out' && previous.status === 'signed-in') {
        // Nothing of the previous user may stay on screen: the cache goes now, not at the
        // next render or the next request.
        void client.clearStore().catch(() => undefined);
      } else if (next.status === 'signed-in' && previous.status === 'signed-out') {
        // What was read anonymously (locked articles, no `me`) is read again as the user.
        void client.resetStore().catch(() => undefined);
      }
      previous = next;
      setState(next);
    });
    void tokens.restore().then(setState);
    return () => {
      unsubscribe();
    };
  }, [tokens, client]);

  const signedInNow = state.status === 'signed-in';
  const me = useQuery(MeQuery, { skip: !signedInNow, fetchPolicy: 'cache-and-network' });
  const refetchMe = me.refetch;
  useEffect(() => {
    if (!signedInNow) return;
    return onReturn(() => {
      // Back to this tab: is the session still alive? Reading `me` finds out; a session ended
      // elsewhere is refused, the refresh too, and the tab signs out and says why.
      void refetchMe().catch(() => undefined);
    });
  }, [signedInNow, refetchMe]);
  const [logout] = useMutation(LogoutMutation);
  const [logoutAll] = useMutation(LogoutAllMutation);

  const signedIn = useCallback(
    (accessToken: string, expiresAt: string | null) => tokens.signedIn({ accessToken, expiresAt }),
    [tokens],
  );
  const signOut = useCallback(async () => {
    try {
      await logout();
    } catch {
      // Signed out here either way; the server ends the session when it can be reached.
    }
    tokens.signOut('signed-out');
  }, [logout, tokens]);
  const signOutEverywhere = useCallback(async () => {
    const { data } = await logoutAll({ variables: { keepCurrent: false } });
    const errors = data?.logoutAll.errors ?? [];
    if (errors.length === 0) tokens.signOut('signed-out-everywhere');
    return errors;
  }, [logoutAll, tokens]);
  const ended = useCallback((reason: SignOutReason) => tokens.signOut(reason), [tokens]);

  const value = useMemo<AuthContextValue>(
    () => ({
      state,
      viewer: signedInNow ? (me.data?.me ?? null) : null,
      tokens,
      problems,
      signedIn,
      signOut,
      signOutEverywhere,
      ended,
    }),
    [state, signedInNow, me.data, tokens, problems, signedIn, signOut, signOutEverywhere, ended],
  );
  return <AuthContext.Provider value={value}>{props.children}</AuthContext.Provider>;
}

export function useAuth(): AuthContextValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error('useAuth outside AuthProvider');
  return value;
}
