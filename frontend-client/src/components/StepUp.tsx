import { useApolloClient, useMutation } from '@apollo/client/react';
import { Alert, Button, Group, Modal, SegmentedControl, Stack, Text } from '@mantine/core';
import { createContext, useCallback, useContext, useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import {
  codeProblem,
  describeError,
  normaliseCode,
  normaliseRecoveryCode,
  recoveryCodeProblem,
  stepUpOptions,
  type CodedError,
  type StepUpOptions,
} from '../auth/secondFactor';
import { StepUpGate, withStepUp, type StepUpErrorLike, type StepUpOutcome } from '../auth/stepUp';
import { ReauthenticateMutation, SecondFactorsQuery } from '../graphql/operations';
import { AppCodeField, PasswordField, RecoveryCodeField } from './fields';
import { failureText } from './forms';
import { usePasskeyAssertion } from './usePasskeyAssertion';

interface StepUpContextValue {
  /**
   * Runs a sensitive action; when it answers STEP_UP_REQUIRED, asks the user to confirm it
   * is them and runs it once more.
   */
  run<T>(action: () => Promise<T>, errorsOf: (result: T) => readonly StepUpErrorLike[] | null | undefined): Promise<StepUpOutcome<T>>;
}

const StepUpContext = createContext<StepUpContextValue | null>(null);

export function useStepUp(): StepUpContextValue {
  const value = useContext(StepUpContext);
  if (!value) throw new Error('useStepUp outside StepUpProvider');
  return value;
}

/** The confirmation dialog and the `run` that opens it, for every page below. */
export function StepUpProvider(props: { children: ReactNode }) {
  const client = useApolloClient();
  const [asking, setAsking] = useState<{ options: StepUpOptions } | null>(null);
  const resolver = useRef<((confirmed: boolean) => void) | null>(null);

  const gate = useMemo(
    () =>
      new StepUpGate(async () => {
        // Which factors the account has decides what to ask for; read fresh, they change.
        let options = stepUpOptions(null);
        try {
          const { data } = await client.query({ query: SecondFactorsQuery, fetchPolicy: 'network-only' });
          options = stepUpOptions(data?.secondFactors);
        } catch {
          // Unknown: ask for the password; the server says if a second factor is needed.
        }
        return new Promise<boolean>((resolve) => {
          resolver.current = resolve;
          setAsking({ options });
        });
      }),
    [client],
  );

  const finish = useCallback((confirmed: boolean) => {
    resolver.current?.(confirmed);
    resolver.current = null;
    setAsking(null);
  }, []);

  const value = useMemo<StepUpContextValue>(
    () => ({ run: (action, errorsOf) => withStepUp(action, errorsOf, () => gate.confirm()) }),
    [gate],
  );

  return (
    <StepUpContext.Provider value={value}>
      {props.children}
      <Modal
        opened={asking !== null}
        onClose={() => finish(false)}
        title="Confirm it's you"
        centered
        closeButtonProps={{ 'aria-label': 'Cancel' }}
      >
        {asking && <StepUpForm options={asking.options} onDone={finish} />}
      </Modal>
    </StepUpContext.Provider>
  );
}

type Method = 'password' | 'totp' | 'recovery' | 'passkey';

function StepUpForm(props: { options: StepUpOptions; onDone: (confirmed: boolean) => void }) {
  const { options, onDone } = props;
  const methods: { value: Method; label: string }[] = [
    ...(options.password ? [{ value: 'password' as const, label: 'Password' }] : []),
    ...(options.totp ? [{ value: 'totp' as const, label: 'Authenticator app' }] : []),
    ...(options.passkey ? [{ value: 'passkey' as const, label: 'Passkey' }] : []),
    ...(options.recoveryCode ? [{ value: 'recovery' as const, label: 'Recovery code' }] : []),
  ];
  const [method, setMethod] = useState<Method>(methods[0]?.value ?? 'password');
  const [value, setValue] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [reauthenticate] = useMutation(ReauthenticateMutation);
  const assertPasskey = usePasskeyAssertion('confirm');

  async function send(input: { password?: string; code?: string; recoveryCode?: string; passkey?: string }) {
    const { data } = await reauthenticate({ variables: { input } });
    const payload = data?.reauthenticate;
    if (payload?.ok) {
      onDone(true);
      return;
    }
    setProblem(describeErrors(payload?.errors ?? []));
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setProblem(null);
    const local =
      method === 'totp' ? codeProblem(value) : method === 'recovery' ? recoveryCodeProblem(value) : value ? null : 'Enter your password.';
    if (local) {
      setProblem(local);
      return;
    }
    setBusy(true);
    try {
      if (method === 'password') await send({ password: value });
      else if (method === 'totp') await send({ code: normaliseCode(value) });
      else await send({ recoveryCode: normaliseRecoveryCode(value) });
    } catch (error) {
      setProblem(failureText(error));
    } finally {
      setBusy(false);
    }
  }

  async function usePasskey() {
    setProblem(null);
    setBusy(true);
    try {
      const assertion = await assertPasskey();
      if (assertion.credential) await send({ passkey: assertion.credential });
      else setProblem(assertion.problem || 'Could not confirm. Please try again.');
    } catch (error) {
      setProblem(failureText(error));
    } finally {
      setBusy(false);
    }
  }

  const bound = { value, onChange: setValue, 'data-autofocus': true };
  const field =
    method === 'password' ? (
      <PasswordField kind="current" {...bound} />
    ) : method === 'totp' ? (
      <AppCodeField label="Code from your authenticator app" {...bound} />
    ) : (
      <RecoveryCodeField {...bound} />
    );

  return (
    <Stack gap="sm">
      <Text size="sm">This change needs a recent sign-in. Confirm it is you to continue.</Text>
      {methods.length > 1 && (
        <SegmentedControl
          aria-label="How to confirm"
          data={methods}
          value={method}
          onChange={(next) => {
            setMethod(next as Method);
            setValue('');
            setProblem(null);
          }}
          fullWidth
        />
      )}
      {problem && (
        <Alert color="red" variant="light" role="alert">
          {problem}
        </Alert>
      )}
      {method === 'passkey' ? (
        <Group justify="flex-end">
          <Button variant="default" onClick={() => onDone(false)}>
            Cancel
          </Button>
          <Button onClick={usePasskey} loading={busy}>
            Confirm with a passkey
          </Button>
        </Group>
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack gap="sm">
            {field}
            {options.password && (
              <Text size="xs" c="dimmed">
                Signed up with Google and never set a password? Set one with “Forgot your password?” on the sign-in page.
              </Text>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => onDone(false)}>
                Cancel
              </Button>
              <Button type="submit" loading={busy}>
                Confirm
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Stack>
  );
}

function describeErrors(errors: readonly CodedError[]): string {
  if (errors.length === 0) return 'Could not confirm. Please try again.';
  return errors.map((error) => describeError(error)).join(' ');
}
