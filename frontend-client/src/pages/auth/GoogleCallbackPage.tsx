import { useMutation } from '@apollo/client/react';
import { Alert, Button } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useAuth } from '../../auth/AuthContext';
import { challengeFrom, type Challenge } from '../../auth/secondFactor';
import { failureText } from '../../components/forms';
import { PageLoader } from '../../components/RequireAuth';
import { GoogleLoginMutation } from '../../graphql/operations';
import { safeNext } from '../../auth/returnTo';
import { AuthCard, GOOGLE_NEXT_KEY, GOOGLE_STATE_KEY, SecondFactorCard } from './shared';

export function GoogleCallbackPage() {
  const [params] = useSearchParams();
  const { signedIn } = useAuth();
  const navigate = useNavigate();
  const [googleLogin] = useMutation(GoogleLoginMutation);
  const [problem, setProblem] = useState<string | null>(null);
  const [challenge, setChallenge] = useState<{ challenge: Challenge; next: string } | null>(null);
  const started = useRef(false);

  useEffect(() => {
    // The code works once: React's development double effects must not spend it twice.
    if (started.current) return;
    started.current = true;
    const expected = sessionStorage.getItem(GOOGLE_STATE_KEY);
    const next = safeNext(sessionStorage.getItem(GOOGLE_NEXT_KEY));
    sessionStorage.removeItem(GOOGLE_STATE_KEY);
    sessionStorage.removeItem(GOOGLE_NEXT_KEY);
    const code = params.get('code');
    const state = params.get('state');
    if (params.get('error')) {
      setProblem('Google sign-in was cancelled or refused. Please try again.');
      return;
    }
    if (!code || !state || !expected || state !== expected) {
      setProblem('This sign-in link does not match the one this browser started. Please start again.');
      return;
    }
    googleLogin({ variables: { code, state } })
      .then(({ data }) => {
        const payload = data?.googleLogin;
        if (payload?.secondFactor) {
          setChallenge({ challenge: challengeFrom(payload.secondFactor), next });
        } else if (payload?.accessToken) {
          signedIn(payload.accessToken, payload.accessTokenExpiresAt ?? null);
          navigate(next, { replace: true });
        } else {
          setProblem(payload?.errors[0]?.message ?? 'Google sign-in failed.');
        }
      })
      .catch((error: unknown) => setProblem(failureText(error)));
  }, [params, googleLogin, signedIn, navigate]);

  if (challenge && !problem) {
    return (
      <SecondFactorCard
        challenge={challenge.challenge}
        onSignedIn={(accessToken, expiresAt) => {
          signedIn(accessToken, expiresAt);
          navigate(challenge.next, { replace: true });
        }}
        onRestart={(message) => {
          if (message) setProblem(message);
          else navigate('/login', { replace: true });
        }}
      />
    );
  }
  if (!problem) return <PageLoader />;
  return (
    <AuthCard title="Google sign-in failed">
      <Alert color="red" role="alert">
        {problem}
      </Alert>
      <Button component={Link} to="/login">
        Back to sign in
      </Button>
    </AuthCard>
  );
}
