import { useMutation } from '@apollo/client/react';
import { Alert, Anchor, Button, Divider, Group, Stack, Text } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { useAuth } from '../../auth/AuthContext';
import { flowPath, forgetReturn, safeNext } from '../../auth/returnTo';
import { challengeFrom, describeError, type Challenge } from '../../auth/secondFactor';
import { SIGN_OUT_MESSAGES } from '../../auth/tokens';
import { passkeysSupported } from '../../auth/webauthn';
import { EmailField, PasswordField } from '../../components/fields';
import { FormAlert, type PayloadError } from '../../components/forms';
import { usePasskeyAssertion } from '../../components/usePasskeyAssertion';
import { usePayloadErrors } from '../../components/usePayloadErrors';
import {
  LoginMutation,
  PasskeyLoginMutation,
  ResendVerificationMutation,
  StartGoogleLoginMutation,
} from '../../graphql/operations';
import { AuthCard, GOOGLE_NEXT_KEY, GOOGLE_STATE_KEY, SecondFactorCard } from './shared';

export function LoginPage() {
  const { state, signedIn } = useAuth();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const next = safeNext(params.get('next'));
  const [email, setEmail] = useState(params.get('email') ?? '');
  const [password, setPassword] = useState('');
  const form = usePayloadErrors(['email', 'password']);
  const [unverified, setUnverified] = useState(false);
  // Set when the password was right and the account asks for a second factor.
  const [challenge, setChallenge] = useState<Challenge | null>(null);
  const [login, { loading }] = useMutation(LoginMutation);
  const [startGoogle, google] = useMutation(StartGoogleLoginMutation);
  const assertPasskey = usePasskeyAssertion('sign-in');
  const [passkeyLogin] = useMutation(PasskeyLoginMutation);
  const [passkeyBusy, setPasskeyBusy] = useState(false);
  const [resend, resendState] = useMutation(ResendVerificationMutation);
  const [resent, setResent] = useState(false);

  if (state.status === 'signed-in' && !loading && !passkeyBusy) return <Navigate to={next} replace />;

  const reason = state.status === 'signed-out' ? state.reason : null;
  // Back from a reset or a verification with the address known: the password is next.
  const prefilled = Boolean(params.get('email'));

  function done(accessToken: string, expiresAt: string | null) {
    // Back where the detour (sign-up, reset) started: nothing more to remember.
    forgetReturn();
    signedIn(accessToken, expiresAt);
    navigate(next, { replace: true });
  }

  function showErrors(errors: readonly PayloadError[]) {
    form.setErrors(errors);
    setUnverified(errors.some((e) => e.code === 'EMAIL_NOT_VERIFIED'));
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    setResent(false);
    setUnverified(false);
    if (!form.emailGiven(email)) return;
    void form.attempt(async () => {
      const { data } = await login({ variables: { input: { email, password } } });
      const payload = data?.login;
      if (!payload) return;
      if (payload.secondFactor) {
        // Not a failure: the password was right; the second step takes over.
        showErrors([]);
        setPassword('');
        setChallenge(challengeFrom(payload.secondFactor));
        return;
      }
      showErrors(payload.errors);
      if (payload.accessToken) done(payload.accessToken, payload.accessTokenExpiresAt ?? null);
    });
  }

  function continueWithGoogle() {
    void form.attempt(async () => {
      const redirectUri = `${window.location.origin}/auth/google/callback`;
      const { data } = await startGoogle({ variables: { redirectUri } });
      const payload = data?.startGoogleLogin;
      if (payload?.authorizationUrl && payload.state) {
        sessionStorage.setItem(GOOGLE_STATE_KEY, payload.state);
        sessionStorage.setItem(GOOGLE_NEXT_KEY, next);
        window.location.assign(payload.authorizationUrl);
      } else {
        showErrors(payload?.errors ?? []);
      }
    });
  }

  /** A discoverable passkey signs in alone: no email, no password, no second step. */
  async function signInWithPasskey() {
    showErrors([]);
    setPasskeyBusy(true);
    await form.attempt(async () => {
      const assertion = await assertPasskey();
      if (!assertion.credential) {
        form.setFailure(assertion.problem || 'Could not start a passkey sign-in.');
        return;
      }
      const { data } = await passkeyLogin({ variables: { credential: assertion.credential } });
      const payload = data?.passkeyLogin;
      if (payload?.accessToken) {
        done(payload.accessToken, payload.accessTokenExpiresAt ?? null);
      } else {
        form.setFailure(
          (payload?.errors ?? []).map((e) => describeError(e, 'sign-in')).join(' ') || 'Could not sign in with the passkey.',
        );
      }
    });
    setPasskeyBusy(false);
  }

  if (challenge) {
    return (
      <SecondFactorCard
        challenge={challenge}
        onSignedIn={done}
        onRestart={(message) => {
          setChallenge(null);
          form.setFailure(message);
        }}
      />
    );
  }

  return (
    <AuthCard title="Sign in" intro="Welcome back. Sign in to read members-only articles.">
      {reason && reason !== 'signed-out' && (
        <Alert color="blue" title="Signed out" role="status">
          {SIGN_OUT_MESSAGES[reason]}
        </Alert>
      )}
      <FormAlert messages={form.messages} title="Could not sign in" />
      {unverified && (
        <Group gap="xs">
          <Button
            variant="light"
            size="xs"
            loading={resendState.loading}
            onClick={async () => {
              await resend({ variables: { email } }).catch(() => undefined);
              setResent(true);
            }}
          >
            Send the verification email again
          </Button>
          {resent && <Text size="sm">Sent. Check your inbox.</Text>}
        </Group>
      )}
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <EmailField value={email} onChange={setEmail} error={form.byField.email} autoFocus={!prefilled} />
          <PasswordField
            kind="current"
            required
            autoFocus={prefilled}
            value={password}
            onChange={setPassword}
            error={form.byField.password}
          />
          <Group justify="space-between">
            <Anchor component={Link} to={flowPath('/forgot-password', { email, next })} size="sm">
              Forgot your password?
            </Anchor>
          </Group>
          <Button type="submit" loading={loading} disabled={form.wait > 0} fullWidth>
            Sign in
          </Button>
        </Stack>
      </form>
      <Divider label="or" labelPosition="center" />
      {passkeysSupported() && (
        <Button variant="default" onClick={signInWithPasskey} loading={passkeyBusy} fullWidth>
          Sign in with a passkey
        </Button>
      )}
      <Button variant="default" onClick={continueWithGoogle} loading={google.loading} fullWidth>
        Continue with Google
      </Button>
      <Text size="sm" ta="center">
        New here?{' '}
        <Anchor component={Link} to={flowPath('/register', { next })}>
          Create an account
        </Anchor>
      </Text>
    </AuthCard>
  );
}
