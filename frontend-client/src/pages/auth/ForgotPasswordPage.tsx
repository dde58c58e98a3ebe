import { useMutation } from '@apollo/client/react';
import { Alert, Anchor, Button, Group, Stack } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import type { EmailMethod } from '../../auth/emailCode';
import { flowPath, rememberReturn, safeNext } from '../../auth/returnTo';
import { EmailCodeField, EmailField, NewPasswordFields } from '../../components/fields';
import { FormAlert } from '../../components/forms';
import { usePayloadErrors } from '../../components/usePayloadErrors';
import { RequestPasswordResetMutation, ResetPasswordWithCodeMutation } from '../../graphql/operations';
import { AuthCard, MethodChoice, PasswordChangedCard, SentMessage, useEmailCode, usePasswordResetDone, useSendAgain } from './shared';

/**
 * Ask for a reset link (the default) or a 6-digit code. With a code the page moves on to a
 * step asking for the code and the new password, for apps and people who cannot open links.
 */
export function ForgotPasswordPage() {
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const [email, setEmail] = useState(params.get('email') ?? '');
  const [method, setMethod] = useState<EmailMethod>('LINK');
  const form = usePayloadErrors(['email']);
  const [sent, setSent] = useState<EmailMethod | null>(null);
  const [request, { loading }] = useMutation(RequestPasswordResetMutation);
  // The code step.
  const code = useEmailCode();
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const step = usePayloadErrors(['code', 'newPassword']);
  const { message, setMessage, cooldown, sendAgain } = useSendAgain();
  const [done, markDone] = usePasswordResetDone();
  const [reset, resetting] = useMutation(ResetPasswordWithCodeMutation);
  const waitLabel = cooldown > 0 ? ` (${cooldown}s)` : '';
  // Asking for the first email, the form's own wait counts (its RATE_LIMITED error).
  const firstWait = form.wait > 0 ? ` (${form.wait}s)` : '';

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!form.emailGiven(email)) return;
    void form.attempt(async () => {
      const { data } = await request({ variables: { email, method } });
      const payload = data?.requestPasswordReset;
      if (!payload) return;
      form.setErrors(payload.errors);
      if (payload.ok) {
        // A link opens in another tab: it finds the address and the page to go back to.
        rememberReturn({ email, next });
        setSent(method);
      }
    });
  }

  async function sendNewCode() {
    const sentAgain = await sendAgain(
      async () => (await request({ variables: { email, method: 'CODE' } })).data?.requestPasswordReset.errors ?? [],
      'A new code is on its way; the one sent before no longer works.',
    );
    if (sentAgain) {
      code.clear();
      step.setErrors([]);
    }
  }

  function submitCode(event: FormEvent) {
    event.preventDefault();
    void step.attempt(async () => {
      const normalized = code.checked();
      if (!normalized || password !== confirm) return;
      const { data } = await reset({ variables: { email, code: normalized, newPassword: password } });
      const payload = data?.resetPasswordWithCode;
      if (!payload) return;
      step.setErrors(payload.errors);
      if (payload.ok) markDone();
    });
  }

  if (done) return <PasswordChangedCard back={{ email, next }} />;

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
        <FormAlert messages={step.messages} title="Could not reset the password" />
        <form onSubmit={submitCode} noValidate>
          <Stack gap="sm">
            <EmailCodeField autoFocus {...code.field(step.byField.code)} />
            <NewPasswordFields
              password={password}
              confirm={confirm}
              onPassword={setPassword}
              onConfirm={setConfirm}
              error={step.byField.newPassword}
            />
            <Button type="submit" loading={resetting.loading} disabled={step.wait > 0} fullWidth>
              Set new password
            </Button>
          </Stack>
        </form>
        <Group justify="space-between">
          <Button variant="default" loading={loading} disabled={cooldown > 0} onClick={sendNewCode}>
            Send a new code{waitLabel}
          </Button>
          <Anchor
            component="button"
            type="button"
            size="sm"
            onClick={() => {
              setSent(null);
              setMessage(null);
              step.setErrors([]);
            }}
          >
            Use another address
          </Anchor>
        </Group>
        <Anchor component={Link} to={flowPath('/login', { next })} size="sm">
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
        // A dark green: the title of Mantine's light green alert is below 4.5:1 on its background.
        <Alert color="#1b5e20" role="status" title="Check your email">
          If an account exists for {email}, a reset link is on its way.
        </Alert>
      ) : (
        <>
          <FormAlert messages={form.messages} />
          <form onSubmit={submit} noValidate>
            <Stack gap="sm">
              <EmailField value={email} onChange={setEmail} error={form.byField.email} autoFocus />
              <MethodChoice label="How should we help?" value={method} onChange={setMethod} />
              <Button type="submit" loading={loading} disabled={form.wait > 0} fullWidth>
                {method === 'CODE' ? 'Send code' : 'Send reset link'}
                {firstWait}
              </Button>
            </Stack>
          </form>
        </>
      )}
      <Anchor component={Link} to={flowPath('/login', { next })} size="sm">
        Back to sign in
      </Anchor>
    </AuthCard>
  );
}
