import { useMutation } from '@apollo/client/react';
import { Alert, Button, Divider, Stack, Text } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import {
  ERROR_MESSAGES,
  afterVerifyFailure,
  challengeExpired,
  codeProblem,
  describeError,
  firstMethod,
  recoveryCodeProblem,
  verifyInput,
  type Challenge,
  type CodedError,
  type SecondFactorAnswer,
} from '../auth/secondFactor';
import { getPasskeyAssertion } from '../auth/webauthn';
import { VerifySecondFactorMutation } from '../graphql/operations';
import { AppCodeField, RecoveryCodeField } from './fields';
import { failureText } from './forms';

/**
 * The second step of a sign-in (password or Google) on an account with a second factor:
 * a code from the authenticator app, a recovery code, or a passkey, sent with the
 * challenge to `verifySecondFactor` (transport COOKIE, like the first step).
 */
export function SecondFactorStep(props: {
  challenge: Challenge;
  onSignedIn: (accessToken: string, expiresAt: string | null) => void;
  /** Back to the first step; `message` says why (expired challenge), null when the user chose to. */
  onRestart: (message: string | null) => void;
}) {
  const { challenge, onSignedIn, onRestart } = props;
  const offered = challenge.methods;
  // A code input when the app is offered; with passkeys only, the passkey button leads.
  const [method, setMethod] = useState<'TOTP' | 'RECOVERY_CODE' | null>(() => {
    const first = firstMethod(challenge);
    return first === 'PASSKEY' ? null : first;
  });
  const [value, setValue] = useState('');
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState<'code' | 'passkey' | null>(null);
  const [verify] = useMutation(VerifySecondFactorMutation);

  async function answer(given: SecondFactorAnswer) {
    if (challengeExpired(challenge)) {
      onRestart(ERROR_MESSAGES.CHALLENGE_EXPIRED ?? null);
      return;
    }
    const { data } = await verify({ variables: { input: verifyInput(challenge, given) } });
    const payload = data?.verifySecondFactor;
    if (payload?.accessToken) {
      onSignedIn(payload.accessToken, payload.accessTokenExpiresAt ?? null);
      return;
    }
    const errors: readonly CodedError[] = payload?.errors ?? [];
    const next = afterVerifyFailure(errors);
    if (next === 'restart') {
      onRestart(describeError(errors.find((e) => e.code === 'CHALLENGE_EXPIRED') ?? errors[0]));
      return;
    }
    const text = errors.map((e) => describeError(e)).join(' ') || 'Could not verify. Please try again.';
    const aboutInput = errors.some((e) => e.field === 'code' || e.field === 'recoveryCode');
    if (next === 'retry' && aboutInput && given.method !== 'PASSKEY') setFieldError(text);
    else setProblem(text);
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setProblem(null);
    setFieldError(null);
    if (!method) return;
    const local = method === 'TOTP' ? codeProblem(value) : recoveryCodeProblem(value);
    if (local) {
      setFieldError(local);
      return;
    }
    setBusy('code');
    try {
      await answer(method === 'TOTP' ? { method, code: value } : { method, recoveryCode: value });
    } catch (error) {
      setProblem(failureText(error));
    } finally {
      setBusy(null);
    }
  }

  async function usePasskey() {
    setProblem(null);
    setFieldError(null);
    if (!challenge.passkeyOptions) return;
    setBusy('passkey');
    try {
      await answer({ method: 'PASSKEY', passkey: await getPasskeyAssertion(challenge.passkeyOptions) });
    } catch (error) {
      setProblem(failureText(error));
    } finally {
      setBusy(null);
    }
  }

  function switchTo(next: 'TOTP' | 'RECOVERY_CODE') {
    setMethod(next);
    setValue('');
    setFieldError(null);
    setProblem(null);
  }

  return (
    <Stack gap="md" data-testid="second-factor-step">
      <Text>
        {method === 'RECOVERY_CODE'
          ? 'Enter one of the recovery codes you saved when you set up two-step verification. Each code works once.'
          : method === 'TOTP'
            ? 'Open your authenticator app and enter the 6-digit code it shows for Gatehouse.'
            : 'Use the passkey you registered for this account.'}
      </Text>
      {problem && (
        <Alert color="red" variant="light" role="alert" title="Could not sign in">
          {problem}
        </Alert>
      )}
      {method && (
        <form onSubmit={submit} noValidate>
          <Stack gap="sm">
            {method === 'TOTP' ? (
              <AppCodeField key="code" autoFocus value={value} onChange={setValue} error={fieldError} />
            ) : (
              <RecoveryCodeField key="recovery" autoFocus value={value} onChange={setValue} error={fieldError} />
            )}
            <Button type="submit" loading={busy === 'code'} disabled={busy === 'passkey'} fullWidth>
              Verify
            </Button>
          </Stack>
        </form>
      )}
      {offered.includes('PASSKEY') && (
        <>
          {method && <Divider label="or" labelPosition="center" />}
          <Button variant={method ? 'default' : 'filled'} onClick={usePasskey} loading={busy === 'passkey'} fullWidth>
            Use a passkey
          </Button>
        </>
      )}
      <Stack gap={4} align="flex-start">
        {method !== 'RECOVERY_CODE' && offered.includes('RECOVERY_CODE') && (
          <SwitchButton onClick={() => switchTo('RECOVERY_CODE')}>Use a recovery code instead</SwitchButton>
        )}
        {method !== 'TOTP' && offered.includes('TOTP') && (
          <SwitchButton onClick={() => switchTo('TOTP')}>Use your authenticator app instead</SwitchButton>
        )}
        <SwitchButton onClick={() => onRestart(null)}>Start over</SwitchButton>
      </Stack>
    </Stack>
  );
}

/**
 * A way out of this step, as a quiet button that is still a full tap target on a phone
 * (44 px high) and whose words wrap rather than run off a narrow screen.
 */
function SwitchButton(props: { onClick: () => void; children: string }) {
  return (
    <Button
      variant="subtle"
      size="sm"
      mih={44}
      h="auto"
      maw="100%"
      styles={{ label: { whiteSpace: 'normal', textAlign: 'left' } }}
      onClick={props.onClick}
    >
      {props.children}
    </Button>
  );
}
