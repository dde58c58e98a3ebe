import { useMutation } from '@apollo/client/react';
import { useEffect, useRef, useState } from 'react';
import { useSearchParams } from 'react-router';
import { useAuth } from '../../auth/AuthContext';
import { recallReturn } from '../../auth/returnTo';
import { failureText } from '../../components/forms';
import { PageLoader } from '../../components/RequireAuth';
import { VerifyEmailMutation } from '../../graphql/operations';
import { VerificationResultCard } from './shared';

export function VerifyEmailPage() {
  const [params] = useSearchParams();
  const token = params.get('token');
  const { state } = useAuth();
  const [verify] = useMutation(VerifyEmailMutation, { refetchQueries: state.status === 'signed-in' ? ['Me'] : [] });
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const started = useRef(false);

  useEffect(() => {
    if (started.current) return;
    started.current = true;
    if (!token) {
      setResult({ ok: false, text: 'This link has no token. Open the link from the email again.' });
      return;
    }
    verify({ variables: { token } })
      .then(({ data }) => {
        const payload = data?.verifyEmail;
        setResult(
          payload?.ok
            ? { ok: true, text: 'Your email address is verified.' }
            : { ok: false, text: payload?.errors[0]?.message ?? 'This link cannot be used.' },
        );
      })
      .catch((error: unknown) => setResult({ ok: false, text: failureText(error) }));
  }, [token, verify]);

  if (!result) return <PageLoader />;
  return <VerificationResultCard ok={result.ok} text={result.text} back={result.ok ? recallReturn() : null} />;
}
