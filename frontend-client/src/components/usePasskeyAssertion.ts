import { useMutation } from '@apollo/client/react';
import { useCallback } from 'react';
import { describeError } from '../auth/secondFactor';
import { getPasskeyAssertion } from '../auth/webauthn';
import { StartPasskeyLoginMutation } from '../graphql/operations';

export type PasskeyAssertion = { credential: string; problem?: undefined } | { credential: null; problem: string };

/**
 * Asks the server for a passkey challenge (`startPasskeyLogin`) and the browser for the
 * assertion that answers it: what a passkey sign-in and a passkey confirmation both send.
 * Answers the credential, or what the server said instead (empty when it said nothing); a
 * ceremony the browser refused throws its PasskeyError.
 */
export function usePasskeyAssertion(context: 'sign-in' | 'confirm'): () => Promise<PasskeyAssertion> {
  const [start] = useMutation(StartPasskeyLoginMutation);
  return useCallback(async () => {
    const { data } = await start();
    const started = data?.startPasskeyLogin;
    if (!started?.options) {
      return { credential: null, problem: (started?.errors ?? []).map((e) => describeError(e, context)).join(' ') };
    }
    return { credential: await getPasskeyAssertion(started.options) };
  }, [start, context]);
}
