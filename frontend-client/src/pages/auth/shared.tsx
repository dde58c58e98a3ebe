import { Alert, Button, Card, Radio, Stack, Text, Title } from '@mantine/core';
import { useCallback, useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import { useAuth } from '../../auth/AuthContext';
import { flowPath, type ReturnTo } from '../../auth/returnTo';
import { codeProblem, normalizeCode, resendOutcome, type EmailMethod } from '../../auth/emailCode';
import { useCountdown } from '../../components/countdown';
import { failureText, rateLimitText, type PayloadError } from '../../components/forms';
import { SecondFactorStep } from '../../components/SecondFactorStep';

// What the sign-in page started with Google, read back by the callback page.
export const GOOGLE_STATE_KEY = 'gatehouse.google.state';
export const GOOGLE_NEXT_KEY = 'gatehouse.google.next';

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

/** The second step of a password or Google sign-in, in the card of the first. */
export function SecondFactorCard(props: Parameters<typeof SecondFactorStep>[0]) {
  return (
    <AuthCard title="Two-step verification">
      <SecondFactorStep {...props} />
    </AuthCard>
  );
}


/**
 * A "send it again" button's state: the message under it and the cooldown. `sendAgain` shows
 * `sentText` when the email went out, or the server's reason (starting the cooldown it asks
 * for), or the request's failure; it answers whether the email went out.
 */
export function useSendAgain() {
  // `limited`: the server's RATE_LIMITED message, said again each second with the wait left.
  const [message, setMessage] = useState<{ ok: boolean; text: string; limited?: string } | null>(null);
  const [cooldown, startCooldown] = useCountdown();
  const sendAgain = useCallback(
    async (send: () => Promise<readonly PayloadError[]>, sentText: string): Promise<boolean> => {
      setMessage(null);
      try {
        const errors = await send();
        const outcome = resendOutcome(errors, sentText);
        setMessage({ ...outcome, limited: outcome.waitSeconds > 0 ? errors[0]?.message : undefined });
        startCooldown(outcome.waitSeconds);
        return outcome.ok;
      } catch (error) {
        setMessage({ ok: false, text: failureText(error) });
        return false;
      }
    },
    [startCooldown],
  );
  const shown = message?.limited ? { ok: false, text: rateLimitText(message.limited, cooldown) } : message;
  return { message: shown, setMessage, cooldown, startCooldown, sendAgain };
}

/**
 * The emailed 6-digit code a form asks for. `checked` answers the code as the server takes
 * it, or null after showing at the field why it cannot be right (so no try is spent on it);
 * `field` gives the input its value and error, the server's when there is no local one.
 */
export function useEmailCode() {
  const [code, setCode] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  return {
    checked(): string | null {
      const normalized = normalizeCode(code);
      const local = codeProblem(normalized);
      setProblem(local);
      return local ? null : normalized;
    },
    clear: () => setCode(''),
    field: (serverError?: string) => ({
      value: code,
      onChange: (value: string) => {
        setCode(value);
        setProblem(null);
      },
      error: problem ?? serverError,
    }),
  };
}

/** What the last "send it again" came to. */
export function SentMessage(props: { message: { ok: boolean; text: string } | null }) {
  if (!props.message) return null;
  return (
    <Alert color={props.message.ok ? 'green' : 'red'} role="status">
      {props.message.text}
    </Alert>
  );
}

/** "A link" or "a 6-digit code": how an email proves the user reads the mailbox. */
export function MethodChoice(props: { label: string; value: EmailMethod; onChange: (value: EmailMethod) => void }) {
  return (
    <Radio.Group label={props.label} value={props.value} onChange={(value) => props.onChange(value as EmailMethod)}>
      <Stack gap="xs" mt="xs">
        <Radio value="LINK" label="Email me a link" />
        <Radio value="CODE" label="Email me a 6-digit code" />
      </Stack>
    </Radio.Group>
  );
}

/**
 * After a reset, by link or by code: every session ended, so the user signs in again, with
 * the address filled in and back to the page they came from (`back`).
 */
export function PasswordChangedCard(props: { back: ReturnTo | null }) {
  return (
    <AuthCard title="Password changed">
      <Alert color="green" role="status">
        Your new password is set and every session was signed out. Sign in with the new password.
      </Alert>
      <Button component={Link} to={flowPath('/login', props.back ?? {})}>
        Sign in
      </Button>
    </AuthCard>
  );
}

/**
 * Whether a password reset went through, and what marks it so: every session ended on the
 * server, this one too, so a signed-in tab signs out.
 */
export function usePasswordResetDone(): [boolean, () => void] {
  const { state, ended } = useAuth();
  const [done, setDone] = useState(false);
  const markDone = useCallback(() => {
    setDone(true);
    if (state.status === 'signed-in') ended('password-reset');
  }, [state.status, ended]);
  return [done, markDone];
}

/** The outcome of a verification, by link or by code; `back` as for PasswordChangedCard. */
export function VerificationResultCard(props: { ok: boolean; text: string; back: ReturnTo | null }) {
  const { state } = useAuth();
  return (
    <AuthCard title={props.ok ? 'Email verified' : 'Verification failed'}>
      <Alert color={props.ok ? 'green' : 'red'} role={props.ok ? 'status' : 'alert'}>
        {props.text}
      </Alert>
      {state.status === 'signed-in' ? (
        <Button component={Link} to={props.back?.next ?? '/'}>
          {props.back && props.back.next !== '/' ? 'Continue' : 'Continue to articles'}
        </Button>
      ) : (
        <Button component={Link} to={flowPath('/login', props.back ?? {})}>
          Sign in
        </Button>
      )}
    </AuthCard>
  );
}
