import { useMutation } from '@apollo/client/react';
import {
  Alert,
  Anchor,
  Button,
  Card,
  Divider,
  Group,
  PasswordInput,
  Radio,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useCallback, useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { useAuth } from '../auth/AuthContext';
import { codeProblem, methodFromParam, normalizeCode, resendOutcome, type EmailMethod } from '../auth/emailCode';
import { challengeFrom, describeError, type Challenge } from '../auth/secondFactor';
import { SIGN_OUT_MESSAGES } from '../auth/tokens';
import { getPasskeyAssertion, passkeysSupported } from '../auth/webauthn';
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
  ResetPasswordWithCodeMutation,
  StartGoogleLoginMutation,
  VerifyEmailMutation,
  VerifyEmailWithCodeMutation,
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

/**
 * Seconds left before "send again" may be pressed: started from the server's `retryAfter`
 * when it answered RATE_LIMITED (the per-address email cooldown), counting down each second.
 */
function useCooldown(): [number, (seconds: number) => void] {
  const [left, setLeft] = useState(0);
  useEffect(() => {
    if (left <= 0) return;
    const timer = setTimeout(() => setLeft((value) => Math.max(0, value - 1)), 1000);
    return () => clearTimeout(timer);
  }, [left]);
  const start = useCallback((seconds: number) => setLeft(Math.max(0, Math.ceil(seconds))), []);
  return [left, start];
}

/**
 * A "send it again" button's state: the message under it and the cooldown. `sendAgain` shows
 * `sentText` when the email went out, or the server's reason (starting the cooldown it asks
 * for), or the request's failure; it answers whether the email went out.
 */
function useSendAgain() {
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [cooldown, startCooldown] = useCooldown();
  const sendAgain = useCallback(
    async (send: () => Promise<readonly PayloadError[]>, sentText: string): Promise<boolean> => {
      setMessage(null);
      try {
        const outcome = resendOutcome(await send(), sentText);
        setMessage(outcome);
        startCooldown(outcome.waitSeconds);
        return outcome.ok;
      } catch (error) {
        setMessage({ ok: false, text: failureText(error) });
        return false;
      }
    },
    [startCooldown],
  );
  return { message, setMessage, cooldown, startCooldown, sendAgain };
}

/** What the last "send it again" came to. */
function SentMessage(props: { message: { ok: boolean; text: string } | null }) {
  if (!props.message) return null;
  return (
    <Alert color={props.message.ok ? 'green' : 'red'} role="status">
      {props.message.text}
    </Alert>
  );
}

/** "A link" or "a 6-digit code": how an email proves the user reads the mailbox. */
function MethodChoice(props: { label: string; value: EmailMethod; onChange: (value: EmailMethod) => void }) {
  return (
    <Radio.Group label={props.label} value={props.value} onChange={(value) => props.onChange(value as EmailMethod)}>
      <Stack gap="xs" mt="xs">
        <Radio value="LINK" label="Email me a link" />
        <Radio value="CODE" label="Email me a 6-digit code" />
      </Stack>
    </Radio.Group>
  );
}

/** The input for an emailed one-time code: digits, filled in from the SMS/email keyboard hint. */
function CodeInput(props: { value: string; onChange: (value: string) => void; error?: string }) {
  return (
    <TextInput
      label="6-digit code"
      description="From the email we just sent. It works once and expires after a few minutes."
      autoComplete="one-time-code"
      inputMode="numeric"
      required
      maxLength={20}
      value={props.value}
      onChange={(e) => props.onChange(e.currentTarget.value)}
      error={props.error}
      aria-invalid={Boolean(props.error)}
    />
  );
}

/** A new password and its repetition, with the rules and messages of every reset. */
function NewPasswordFields(props: {
  password: string;
  confirm: string;
  onPassword: (value: string) => void;
  onConfirm: (value: string) => void;
  error?: string;
}) {
  const mismatch = passwordMismatch(props.password, props.confirm);
  return (
    <>
      <PasswordInput
        label="New password"
        description="At least 10 characters, not a common password."
        autoComplete="new-password"
        required
        value={props.password}
        onChange={(e) => props.onPassword(e.currentTarget.value)}
        error={props.error}
        aria-invalid={Boolean(props.error)}
      />
      <PasswordInput
        label="Repeat the new password"
        autoComplete="new-password"
        required
        value={props.confirm}
        onChange={(e) => props.onConfirm(e.currentTarget.value)}
        error={mismatch}
        aria-invalid={Boolean(mismatch)}
      />
    </>
  );
}

function passwordMismatch(password: string, confirm: string): string | undefined {
  return confirm.length > 0 && confirm !== password ? 'The passwords do not match.' : undefined;
}

/** After a reset, by link or by code: every session ended, so the user signs in again. */
function PasswordChangedCard() {
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

/** The outcome of a verification, by link or by code. */
function VerificationResultCard(props: { ok: boolean; text: string }) {
  const { state } = useAuth();
  return (
    <AuthCard title={props.ok ? 'Email verified' : 'Verification failed'}>
      <Alert color={props.ok ? 'green' : 'red'} role={props.ok ? 'status' : 'alert'}>
        {props.text}
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
      setFailure(failureText(error));
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
  const [method, setMethod] = useState<EmailMethod>('LINK');
  const [errors, setErrors] = useState<PayloadError[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  const [register, { loading }] = useMutation(RegisterMutation);
  const { byField, general } = splitErrors(errors, ['email', 'password', 'profile.displayName']);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFailure(null);
    try {
      const profile = displayName.trim() ? { displayName: displayName.trim() } : null;
      const { data } = await register({
        variables: { input: { email, password, profile, verificationMethod: method } },
      });
      const payload = data?.register;
      if (!payload) return;
      setErrors(payload.errors);
      if (payload.ok) {
        const query = `email=${encodeURIComponent(email)}${method === 'CODE' ? '&method=code' : ''}`;
        navigate(`/check-email?${query}`);
      }
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
          <MethodChoice label="To confirm your email address" value={method} onChange={setMethod} />
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

/**
 * After registering (or asking for another verification email): wait for the email. A link
 * opens /verify-email; a code is typed here ("I got a code"), and verifies the address the
 * same way.
 */
export function CheckEmailPage() {
  const [params] = useSearchParams();
  const email = params.get('email') ?? '';
  // Showing the code form: registered with a code, or the user says a code came.
  const [codeStep, setCodeStep] = useState(methodFromParam(params.get('method')) === 'CODE');
  const [resend, { loading }] = useMutation(ResendVerificationMutation);
  const { message, cooldown, sendAgain } = useSendAgain();
  const [code, setCode] = useState('');
  const [codeError, setCodeError] = useState<string | null>(null);
  const [errors, setErrors] = useState<PayloadError[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  const [verified, setVerified] = useState(false);
  const { state } = useAuth();
  const [verify, verifying] = useMutation(VerifyEmailWithCodeMutation, {
    refetchQueries: state.status === 'signed-in' ? ['Me'] : [],
  });
  const { byField, general } = splitErrors(errors, ['code']);

  async function resendEmail(method: EmailMethod) {
    const sent = await sendAgain(
      async () => (await resend({ variables: { email, method } })).data?.resendVerificationEmail.errors ?? [],
      method === 'CODE'
        ? 'A new code is on its way; any code or link sent before no longer works.'
        : 'Sent again. It can take a minute to arrive.',
    );
    if (sent && method === 'CODE') {
      setCodeStep(true);
      setCode('');
      setErrors([]);
    }
  }

  async function submitCode(event: FormEvent) {
    event.preventDefault();
    setFailure(null);
    const normalized = normalizeCode(code);
    const problem = codeProblem(normalized);
    setCodeError(problem);
    if (problem) return;
    setErrors([]);
    try {
      const { data } = await verify({ variables: { email, code: normalized } });
      const payload = data?.verifyEmailWithCode;
      if (!payload) return;
      setErrors(payload.errors);
      if (payload.ok) setVerified(true);
    } catch (error) {
      setFailure(failureText(error));
    }
  }

  if (verified) return <VerificationResultCard ok text="Your email address is verified." />;

  const waitLabel = cooldown > 0 ? ` (${cooldown}s)` : '';
  return (
    <AuthCard
      title="Check your email"
      intro={
        codeStep ? (
          <>
            Enter the 6-digit code we emailed to <strong>{email || 'your address'}</strong>.
          </>
        ) : (
          <>
            We sent a verification link to <strong>{email || 'your address'}</strong>. Open it to
            verify your account, then sign in.
          </>
        )
      }
    >
      <SentMessage message={message} />
      {codeStep && email && (
        <>
          <FormAlert messages={failure ? [failure, ...general] : general} title="Could not verify" />
          <form onSubmit={submitCode} noValidate>
            <Stack gap="sm">
              <CodeInput
                value={code}
                onChange={(value) => {
                  setCode(value);
                  setCodeError(null);
                }}
                error={codeError ?? byField.code}
              />
              <Button type="submit" loading={verifying.loading} fullWidth>
                Verify email
              </Button>
            </Stack>
          </form>
        </>
      )}
      {email && (
        <Group gap="xs">
          {codeStep ? (
            <Button variant="default" loading={loading} disabled={cooldown > 0} onClick={() => resendEmail('CODE')}>
              Send a new code{waitLabel}
            </Button>
          ) : (
            <>
              <Button variant="default" loading={loading} disabled={cooldown > 0} onClick={() => resendEmail('LINK')}>
                Send the email again{waitLabel}
              </Button>
              <Button variant="default" loading={loading} disabled={cooldown > 0} onClick={() => resendEmail('CODE')}>
                Email me a code instead{waitLabel}
              </Button>
              <Button variant="subtle" onClick={() => setCodeStep(true)}>
                I got a code
              </Button>
            </>
          )}
        </Group>
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
  return <VerificationResultCard ok={result.ok} text={result.text} />;
}

/**
 * Ask for a reset link (the default) or a 6-digit code. With a code the page moves on to a
 * step asking for the code and the new password, for apps and people who cannot open links.
 */
export function ForgotPasswordPage() {
  const { state, ended } = useAuth();
  const [email, setEmail] = useState('');
  const [method, setMethod] = useState<EmailMethod>('LINK');
  const [errors, setErrors] = useState<PayloadError[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  const [sent, setSent] = useState<EmailMethod | null>(null);
  const [request, { loading }] = useMutation(RequestPasswordResetMutation);
  const { byField, general } = splitErrors(errors, ['email']);
  // The code step.
  const [code, setCode] = useState('');
  const [codeError, setCodeError] = useState<string | null>(null);
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [codeErrors, setCodeErrors] = useState<PayloadError[]>([]);
  const [codeFailure, setCodeFailure] = useState<string | null>(null);
  const { message, setMessage, cooldown, startCooldown, sendAgain } = useSendAgain();
  const [done, setDone] = useState(false);
  const [reset, resetting] = useMutation(ResetPasswordWithCodeMutation);
  const step = splitErrors(codeErrors, ['code', 'newPassword']);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFailure(null);
    try {
      const { data } = await request({ variables: { email, method } });
      const payload = data?.requestPasswordReset;
      if (!payload) return;
      setErrors(payload.errors);
      startCooldown(resendOutcome(payload.errors, '').waitSeconds);
      if (payload.ok) setSent(method);
    } catch (error) {
      setFailure(failureText(error));
    }
  }

  async function sendNewCode() {
    const sent = await sendAgain(
      async () => (await request({ variables: { email, method: 'CODE' } })).data?.requestPasswordReset.errors ?? [],
      'A new code is on its way; the one sent before no longer works.',
    );
    if (sent) {
      setCode('');
      setCodeErrors([]);
    }
  }

  async function submitCode(event: FormEvent) {
    event.preventDefault();
    setCodeFailure(null);
    const normalized = normalizeCode(code);
    const problem = codeProblem(normalized);
    setCodeError(problem);
    if (problem || password !== confirm) return;
    try {
      const { data } = await reset({ variables: { email, code: normalized, newPassword: password } });
      const payload = data?.resetPasswordWithCode;
      if (!payload) return;
      setCodeErrors(payload.errors);
      if (payload.ok) {
        setDone(true);
        // Every session ended on the server, this one too.
        if (state.status === 'signed-in') ended('password-reset');
      }
    } catch (error) {
      setCodeFailure(failureText(error));
    }
  }

  if (done) return <PasswordChangedCard />;

  if (sent === 'CODE') {
    return (
      <AuthCard
        title="Enter the code"
        intro={
          <>
            If an account exists for <strong>{email}</strong>, we emailed it a 6-digit code. Enter it
            with your new password.
          </>
        }
      >
        <SentMessage message={message} />
        <FormAlert
          messages={codeFailure ? [codeFailure, ...step.general] : step.general}
          title="Could not reset the password"
        />
        <form onSubmit={submitCode} noValidate>
          <Stack gap="sm">
            <CodeInput
              value={code}
              onChange={(value) => {
                setCode(value);
                setCodeError(null);
              }}
              error={codeError ?? step.byField.code}
            />
            <NewPasswordFields
              password={password}
              confirm={confirm}
              onPassword={setPassword}
              onConfirm={setConfirm}
              error={step.byField.newPassword}
            />
            <Button type="submit" loading={resetting.loading} fullWidth>
              Set new password
            </Button>
          </Stack>
        </form>
        <Group justify="space-between">
          <Button variant="default" loading={loading} disabled={cooldown > 0} onClick={sendNewCode}>
            Send a new code{cooldown > 0 ? ` (${cooldown}s)` : ''}
          </Button>
          <Anchor
            component="button"
            type="button"
            size="sm"
            onClick={() => {
              setSent(null);
              setMessage(null);
              setCodeErrors([]);
            }}
          >
            Use another address
          </Anchor>
        </Group>
        <Anchor component={Link} to="/login" size="sm">
          Back to sign in
        </Anchor>
      </AuthCard>
    );
  }

  return (
    <AuthCard
      title="Forgot your password?"
      intro="Enter your email and we will send you a link or a code to set a new one."
    >
      {sent === 'LINK' ? (
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
              <MethodChoice label="How should we help?" value={method} onChange={setMethod} />
              <Button type="submit" loading={loading} disabled={cooldown > 0} fullWidth>
                {method === 'CODE' ? 'Send code' : 'Send reset link'}
                {cooldown > 0 ? ` (${cooldown}s)` : ''}
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

  if (done) return <PasswordChangedCard />;
  return (
    <AuthCard title="Choose a new password">
      {!token && <FormAlert messages={['This link has no token. Open the link from the email again.']} />}
      <FormAlert messages={failure ? [failure, ...general] : general} title="Could not reset the password" />
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <NewPasswordFields
            password={password}
            confirm={confirm}
            onPassword={setPassword}
            onConfirm={setConfirm}
            error={byField.newPassword}
          />
          <Button type="submit" loading={loading} disabled={!token} fullWidth>
            Set new password
          </Button>
        </Stack>
      </form>
    </AuthCard>
  );
}
