import { useMutation } from '@apollo/client/react';
import {
  Alert,
  Anchor,
  Button,
  Card,
  Divider,
  Group,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { useAuth } from '../auth/AuthContext';
import { challengeFrom, describeError, type Challenge } from '../auth/secondFactor';
import { SIGN_OUT_MESSAGES } from '../auth/tokens';
import { getPasskeyAssertion, PasskeyError, passkeysSupported } from '../auth/webauthn';
import { FormAlert, failureText, splitErrors, type PayloadError } from '../components/forms';
import { PageLoader } from '../components/RequireAuth';
import { SecondFactorStep } from '../components/SecondFactorStep';
import {
  GoogleLoginMutation,
  LoginMutation,
  PasskeyLoginMutation,
  StartPasskeyLoginMutation,
  RegisterMutation,
  RequestPasswordResetMutation,
  ResendVerificationMutation,
  ResetPasswordMutation,
  StartGoogleLoginMutation,
  VerifyEmailMutation,
} from '../graphql/operations';

const GOOGLE_STATE_KEY = 'gatehouse.google.state';
const GOOGLE_NEXT_KEY = 'gatehouse.google.next';

/** Only paths inside this app: `next` must never send the user to another site. */
export function safeNext(value: string | null): string {
  return value && value.startsWith('/') && !value.startsWith('//') ? value : '/';
}

export function AuthCard(props: { title: string; intro?: ReactNode; children: ReactNode }) {
  return (
    <Card withBorder radius="md" p="xl" maw={460} mx="auto" shadow="xs">
      <Stack gap="md">
        <Title order={1} size="h2">
          {props.title}
        </Title>
        {props.intro && <Text c="dimmed">{props.intro}</Text>}
        {props.children}
      </Stack>
    </Card>
  );
}

export function LoginPage() {
  const { state, signedIn } = useAuth();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const next = safeNext(params.get('next'));
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<PayloadError[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  // Set when the password was right and the account asks for a second factor.
  const [challenge, setChallenge] = useState<Challenge | null>(null);
  const [login, { loading }] = useMutation(LoginMutation);
  const [startGoogle, google] = useMutation(StartGoogleLoginMutation);
  const [startPasskeyLogin] = useMutation(StartPasskeyLoginMutation);
  const [passkeyLogin] = useMutation(PasskeyLoginMutation);
  const [passkeyBusy, setPasskeyBusy] = useState(false);
  const [resend, resendState] = useMutation(ResendVerificationMutation);
  const [resent, setResent] = useState(false);

  if (state.status === 'signed-in' && !loading && !passkeyBusy) return <Navigate to={next} replace />;

  const reason = state.status === 'signed-out' ? state.reason : null;
  const { byField, general } = splitErrors(errors, ['email', 'password']);
  const unverified = errors.some((e) => e.code === 'EMAIL_NOT_VERIFIED');

  function done(accessToken: string, expiresAt: string | null) {
    signedIn(accessToken, expiresAt);
    navigate(next, { replace: true });
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFailure(null);
    setResent(false);
    try {
      const { data } = await login({ variables: { input: { email, password } } });
      const payload = data?.login;
      if (!payload) return;
      if (payload.secondFactor) {
        // Not a failure: the password was right; the second step takes over.
        setErrors([]);
        setPassword('');
        setChallenge(challengeFrom(payload.secondFactor));
        return;
      }
      setErrors(payload.errors);
      if (payload.accessToken) done(payload.accessToken, payload.accessTokenExpiresAt ?? null);
    } catch (error) {
      setFailure(failureText(error));
    }
  }

  async function continueWithGoogle() {
    setFailure(null);
    try {
      const redirectUri = `${window.location.origin}/auth/google/callback`;
      const { data } = await startGoogle({ variables: { redirectUri } });
      const payload = data?.startGoogleLogin;
      if (payload?.authorizationUrl && payload.state) {
        sessionStorage.setItem(GOOGLE_STATE_KEY, payload.state);
        sessionStorage.setItem(GOOGLE_NEXT_KEY, next);
        window.location.assign(payload.authorizationUrl);
      } else {
        setErrors(payload?.errors ?? []);
      }
    } catch (error) {
      setFailure(failureText(error));
    }
  }

  /** A discoverable passkey signs in alone: no email, no password, no second step. */
  async function signInWithPasskey() {
    setFailure(null);
    setErrors([]);
    setPasskeyBusy(true);
    try {
      const { data } = await startPasskeyLogin();
      const started = data?.startPasskeyLogin;
      if (!started?.options) {
        setFailure((started?.errors ?? []).map((e) => describeError(e, 'sign-in')).join(' ') || 'Could not start a passkey sign-in.');
        return;
      }
      const credential = await getPasskeyAssertion(started.options);
      const { data: result } = await passkeyLogin({ variables: { credential } });
      const payload = result?.passkeyLogin;
      if (payload?.accessToken) {
        done(payload.accessToken, payload.accessTokenExpiresAt ?? null);
      } else {
        setFailure((payload?.errors ?? []).map((e) => describeError(e, 'sign-in')).join(' ') || 'Could not sign in with the passkey.');
      }
    } catch (error) {
      setFailure(error instanceof PasskeyError ? error.message : failureText(error));
    } finally {
      setPasskeyBusy(false);
    }
  }

  if (challenge) {
    return (
      <AuthCard title="Two-step verification">
        <SecondFactorStep
          challenge={challenge}
          onSignedIn={done}
          onRestart={(message) => {
            setChallenge(null);
            setFailure(message);
          }}
        />
      </AuthCard>
    );
  }

  return (
    <AuthCard title="Sign in" intro="Welcome back. Sign in to read members-only articles.">
      {reason && reason !== 'signed-out' && (
        <Alert color="blue" title="Signed out" role="status">
          {SIGN_OUT_MESSAGES[reason]}
        </Alert>
      )}
      <FormAlert messages={failure ? [failure, ...general] : general} title="Could not sign in" />
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
          <TextInput
            label="Email"
            type="email"
            autoComplete="email"
            required
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
            error={byField.email}
            aria-invalid={Boolean(byField.email)}
          />
          <PasswordInput
            label="Password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            error={byField.password}
            aria-invalid={Boolean(byField.password)}
          />
          <Group justify="space-between">
            <Anchor component={Link} to="/forgot-password" size="sm">
              Forgot your password?
            </Anchor>
          </Group>
          <Button type="submit" loading={loading} fullWidth>
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
        <Anchor component={Link} to="/register">
          Create an account
        </Anchor>
      </Text>
    </AuthCard>
  );
}

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
      <AuthCard title="Two-step verification">
        <SecondFactorStep
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
      </AuthCard>
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

export function RegisterPage() {
  const navigate = useNavigate();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [errors, setErrors] = useState<PayloadError[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  const [register, { loading }] = useMutation(RegisterMutation);
  const { byField, general } = splitErrors(errors, ['email', 'password', 'profile.displayName']);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFailure(null);
    try {
      const profile = displayName.trim() ? { displayName: displayName.trim() } : null;
      const { data } = await register({ variables: { input: { email, password, profile } } });
      const payload = data?.register;
      if (!payload) return;
      setErrors(payload.errors);
      if (payload.ok) navigate(`/check-email?email=${encodeURIComponent(email)}`);
    } catch (error) {
      setFailure(failureText(error));
    }
  }

  return (
    <AuthCard title="Create your account" intro="Read free articles now; subscribe to unlock premium ones.">
      <FormAlert messages={failure ? [failure, ...general] : general} />
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <TextInput
            label="Email"
            type="email"
            autoComplete="email"
            required
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
            error={byField.email}
            aria-invalid={Boolean(byField.email)}
          />
          <PasswordInput
            label="Password"
            description="At least 10 characters, not a common password."
            autoComplete="new-password"
            required
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            error={byField.password}
            aria-invalid={Boolean(byField.password)}
          />
          <TextInput
            label="Display name (optional)"
            autoComplete="nickname"
            value={displayName}
            onChange={(e) => setDisplayName(e.currentTarget.value)}
            error={byField['profile.displayName']}
            aria-invalid={Boolean(byField['profile.displayName'])}
          />
          <Button type="submit" loading={loading} fullWidth>
            Create account
          </Button>
        </Stack>
      </form>
      <Text size="sm" ta="center">
        Already have an account?{' '}
        <Anchor component={Link} to="/login">
          Sign in
        </Anchor>
      </Text>
    </AuthCard>
  );
}

export function CheckEmailPage() {
  const [params] = useSearchParams();
  const email = params.get('email') ?? '';
  const [resend, { loading }] = useMutation(ResendVerificationMutation);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  return (
    <AuthCard
      title="Check your email"
      intro={
        <>
          We sent a verification link to <strong>{email || 'your address'}</strong>. Open it to
          verify your account, then sign in.
        </>
      }
    >
      {message && (
        <Alert color={message.ok ? 'green' : 'red'} role="status">
          {message.text}
        </Alert>
      )}
      {email && (
        <Button
          variant="default"
          loading={loading}
          onClick={async () => {
            try {
              const { data } = await resend({ variables: { email } });
              const error = data?.resendVerificationEmail.errors[0];
              setMessage(error ? { ok: false, text: error.message } : { ok: true, text: 'Sent again. It can take a minute to arrive.' });
            } catch (error) {
              setMessage({ ok: false, text: failureText(error) });
            }
          }}
        >
          Send the email again
        </Button>
      )}
      <Anchor component={Link} to="/login">
        Go to sign in
      </Anchor>
    </AuthCard>
  );
}

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
  return (
    <AuthCard title={result.ok ? 'Email verified' : 'Verification failed'}>
      <Alert color={result.ok ? 'green' : 'red'} role={result.ok ? 'status' : 'alert'}>
        {result.text}
      </Alert>
      {state.status === 'signed-in' ? (
        <Button component={Link} to="/">
          Continue to articles
        </Button>
      ) : (
        <Button component={Link} to="/login">
          Sign in
        </Button>
      )}
    </AuthCard>
  );
}

export function ForgotPasswordPage() {
  const [email, setEmail] = useState('');
  const [errors, setErrors] = useState<PayloadError[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  const [sent, setSent] = useState(false);
  const [request, { loading }] = useMutation(RequestPasswordResetMutation);
  const { byField, general } = splitErrors(errors, ['email']);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFailure(null);
    try {
      const { data } = await request({ variables: { email } });
      const payload = data?.requestPasswordReset;
      if (!payload) return;
      setErrors(payload.errors);
      setSent(payload.ok);
    } catch (error) {
      setFailure(failureText(error));
    }
  }

  return (
    <AuthCard title="Forgot your password?" intro="Enter your email and we will send you a link to set a new one.">
      {sent ? (
        <Alert color="green" role="status" title="Check your email">
          If an account exists for {email}, a reset link is on its way.
        </Alert>
      ) : (
        <>
          <FormAlert messages={failure ? [failure, ...general] : general} />
          <form onSubmit={submit} noValidate>
            <Stack gap="sm">
              <TextInput
                label="Email"
                type="email"
                autoComplete="email"
                required
                value={email}
                onChange={(e) => setEmail(e.currentTarget.value)}
                error={byField.email}
                aria-invalid={Boolean(byField.email)}
              />
              <Button type="submit" loading={loading} fullWidth>
                Send reset link
              </Button>
            </Stack>
          </form>
        </>
      )}
      <Anchor component={Link} to="/login" size="sm">
        Back to sign in
      </Anchor>
    </AuthCard>
  );
}

export function ResetPasswordPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const { state, ended } = useAuth();
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<PayloadError[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [reset, { loading }] = useMutation(ResetPasswordMutation);
  const { byField, general } = splitErrors(errors, ['newPassword']);
  const mismatch = confirm.length > 0 && confirm !== password ? 'The passwords do not match.' : undefined;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFailure(null);
    if (password !== confirm) return;
    try {
      const { data } = await reset({ variables: { token, newPassword: password } });
      const payload = data?.resetPassword;
      if (!payload) return;
      setErrors(payload.errors);
      if (payload.ok) {
        setDone(true);
        // Every session ended on the server, this one too.
        if (state.status === 'signed-in') ended('password-reset');
      }
    } catch (error) {
      setFailure(failureText(error));
    }
  }

  if (done) {
    return (
      <AuthCard title="Password changed">
        <Alert color="green" role="status">
          Your new password is set and every session was signed out. Sign in with the new password.
        </Alert>
        <Button component={Link} to="/login">
          Sign in
        </Button>
      </AuthCard>
    );
  }
  return (
    <AuthCard title="Choose a new password">
      {!token && <FormAlert messages={['This link has no token. Open the link from the email again.']} />}
      <FormAlert messages={failure ? [failure, ...general] : general} title="Could not reset the password" />
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <PasswordInput
            label="New password"
            description="At least 10 characters, not a common password."
            autoComplete="new-password"
            required
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            error={byField.newPassword}
            aria-invalid={Boolean(byField.newPassword)}
          />
          <PasswordInput
            label="Repeat the new password"
            autoComplete="new-password"
            required
            value={confirm}
            onChange={(e) => setConfirm(e.currentTarget.value)}
            error={mismatch}
            aria-invalid={Boolean(mismatch)}
          />
          <Button type="submit" loading={loading} disabled={!token} fullWidth>
            Set new password
          </Button>
        </Stack>
      </form>
    </AuthCard>
  );
}
