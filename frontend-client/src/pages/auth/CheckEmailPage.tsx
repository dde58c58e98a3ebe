import { useMutation } from '@apollo/client/react';
import { Anchor, Button, Group, Stack } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useAuth } from '../../auth/AuthContext';
import { methodFromParam, type EmailMethod } from '../../auth/emailCode';
import { recallReturn } from '../../auth/returnTo';
import { EmailCodeField } from '../../components/fields';
import { FormAlert } from '../../components/forms';
import { usePayloadErrors } from '../../components/usePayloadErrors';
import { ResendVerificationMutation, VerifyEmailWithCodeMutation } from '../../graphql/operations';
import { AuthCard, SentMessage, VerificationResultCard, useEmailCode, useSendAgain } from './shared';

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
  const code = useEmailCode();
  const form = usePayloadErrors(['code']);
  const [verified, setVerified] = useState(false);
  const { state } = useAuth();
  const [verify, verifying] = useMutation(VerifyEmailWithCodeMutation, {
    refetchQueries: state.status === 'signed-in' ? ['Me'] : [],
  });

  async function resendEmail(method: EmailMethod) {
    const sent = await sendAgain(
      async () => (await resend({ variables: { email, method } })).data?.resendVerificationEmail.errors ?? [],
      method === 'CODE'
        ? 'A new code is on its way; any code or link sent before no longer works.'
        : 'Sent again. It can take a minute to arrive.',
    );
    if (sent && method === 'CODE') {
      setCodeStep(true);
      code.clear();
      form.setErrors([]);
    }
  }

  function submitCode(event: FormEvent) {
    event.preventDefault();
    void form.attempt(async () => {
      const normalized = code.checked();
      if (!normalized) return;
      form.setErrors([]);
      const { data } = await verify({ variables: { email, code: normalized } });
      const payload = data?.verifyEmailWithCode;
      if (!payload) return;
      form.setErrors(payload.errors);
      if (payload.ok) setVerified(true);
    });
  }

  if (verified) {
    return <VerificationResultCard ok text="Your email address is verified." back={recallReturn() ?? { email, next: '/' }} />;
  }

  const waitLabel = cooldown > 0 ? ` (${cooldown}s)` : '';
  const resendButton = (method: EmailMethod, label: string) => (
    <Button variant="default" loading={loading} disabled={cooldown > 0} onClick={() => resendEmail(method)}>
      {label}
      {waitLabel}
    </Button>
  );
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
          <FormAlert messages={form.messages} title="Could not verify" />
          <form onSubmit={submitCode} noValidate>
            <Stack gap="sm">
              <EmailCodeField autoFocus {...code.field(form.byField.code)} />
              <Button type="submit" loading={verifying.loading} disabled={form.wait > 0} fullWidth>
                Verify email
              </Button>
            </Stack>
          </form>
        </>
      )}
      {email && (
        <Group gap="xs">
          {codeStep ? (
            resendButton('CODE', 'Send a new code')
          ) : (
            <>
              {resendButton('LINK', 'Send the email again')}
              {resendButton('CODE', 'Email me a code instead')}
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
