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
import { StepUpGate, withProof, withStepUp, type StepUpErrorLike, type StepUpOutcome } from '../auth/stepUp';
import type { ReauthenticateInput } from '../gql/graphql';
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
  /**
   * Runs an action that takes its proof in the same call (confirmTotpEnrollment); when it
   * answers REAUTHENTICATION_REQUIRED, asks the user with the same dialog and sends each proof
   * they give with the action again, until `proofProblem` finds none (or they cancel).
   */
  withProof<T>(
    action: (proof: ReauthenticateInput | null) => Promise<T>,
    errorsOf: (result: T) => readonly StepUpErrorLike[] | null | undefined,
    proofProblem: (result: T) => string | null,
  ): Promise<StepUpOutcome<T>>;
}

/** Sends one proof; answers what to show in the dialog, or null when it was accepted. */
type ProofSender = (proof: ReauthenticateInput) => Promise<string | null>;

const StepUpContext = createContext<StepUpContextValue | null>(null);

export function useStepUp(): StepUpContextValue {
  const value = useContext(StepUpContext);
  if (!value) throw new Error('useStepUp outside StepUpProvider');
  return value;
}

/** The confirmation dialog and the `run` that opens it, for every page below. */
export function StepUpProvider(props: { children: ReactNode }) {
  const client = useApolloClient();
  const [asking, setAsking] = useState<{ options: StepUpOptions; send: ProofSender | null } | null>(null);
  const resolver = useRef<((confirmed: boolean) => void) | null>(null);

  /** Opens the dialog; `send` null: the proof goes to `reauthenticate`. */
  const ask = useCallback(
    async (send: ProofSender | null) => {
      // Which factors the account has decides what to ask for; read fresh, they change.
      let options = stepUpOptions(null);
      try {
        const { data } = await client.query({ query: SecondFactorsQuery, fetchPolicy: 'network-only' });
        options = stepUpOptions(data?.secondFactors);
      } catch {
        // Unknown: ask for the password; the server says if a second factor is needed.
      }
      // A dialog still open for another action is answered "cancelled" rather than lost.
      resolver.current?.(false);
      return new Promise<boolean>((resolve) => {
        resolver.current = resolve;
        setAsking({ options, send });
      });
    },
    [client],
  );
  const gate = useMemo(() => new StepUpGate(() => ask(null)), [ask]);

  const finish = useCallback((confirmed: boolean) => {
    resolver.current?.(confirmed);
    resolver.current = null;
    setAsking(null);
  }, []);

  const value = useMemo<StepUpContextValue>(
    () => ({
      run: (action, errorsOf) => withStepUp(action, errorsOf, () => gate.confirm()),
      withProof: (action, errorsOf, proofProblem) => withProof(action, errorsOf, proofProblem, (send) => ask(send)),
    }),
    [gate, ask],
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
        {asking && <StepUpForm options={asking.options} send={asking.send} onDone={finish} />}
      </Modal>
    </StepUpContext.Provider>
  );
}

type Method = 'password' | 'totp' | 'recovery' | 'passkey';

function StepUpForm(props: { options: StepUpOptions; send: ProofSender | null; onDone: (confirmed: boolean) => void }) {
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

  async function send(input: ReauthenticateInput) {
    if (props.send) {
      // The proof travels with the action itself, which answers whether it was accepted.
      const refused = await props.send(input);
      if (refused === null) onDone(true);
      else setProblem(refused);
      return;
    }
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
