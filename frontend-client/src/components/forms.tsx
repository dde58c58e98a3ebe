import { Alert, Card, List, Stack, Title } from '@mantine/core';
import { useId, type FormEvent, type ReactNode } from 'react';
import { CombinedGraphQLErrors } from '@apollo/client';
import { InvariantError } from '@apollo/client/utilities/invariant';
import { PasskeyError } from '../auth/webauthn';
import { PageLoader } from './RequireAuth';

/**
 * A payload error (the `ErrorFields` fragment). `field` is the path of the input at fault
 * (`email`, `profile.displayName`, `links[2]`); `retryAfter` (seconds) comes with RATE_LIMITED.
 */
export interface PayloadError {
  field?: string | null;
  message: string;
  code: string;
  retryAfter?: number | null;
}

export function errorText(error: PayloadError): string {
  if (error.code === 'RATE_LIMITED' && typeof error.retryAfter === 'number') {
    return rateLimitText(error.message, error.retryAfter);
  }
  return error.message;
}

/**
 * A RATE_LIMITED error in one sentence: the server's reason, cut before its own advice
 * ("…; try again later", "…; wait 58 seconds"), and the seconds still to wait, which the
 * forms count down.
 */
export function rateLimitText(message: string, secondsLeft: number): string {
  const reason = message.split(/[;:]|\.(?:\s|$)/)[0].trim() || 'Too many attempts';
  return secondsLeft > 0 ? `${reason}; try again in ${formatWait(secondsLeft)}.` : `${reason}; you can try again now.`;
}

export function formatWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/**
 * Splits payload errors into those shown next to an input of this form and the rest, shown
 * above it. The server names the input by its path in the mutation's input, in camelCase:
 * `newPassword`, `profile.displayName`, `links[2]`. `paths` lists the inputs the form shows;
 * an error lands on the most specific of them that contains its path (`links[2]` on
 * `links[2]` when the form lists it, else on `links`), and above the form when none does.
 */
export function splitErrors(
  errors: readonly PayloadError[] | null | undefined,
  paths: readonly string[],
  text: (error: PayloadError) => string = errorText,
): { byField: Record<string, string>; general: string[] } {
  const byField: Record<string, string> = {};
  const general: string[] = [];
  for (const error of errors ?? []) {
    const path = error.field ? listedPath(error.field, paths) : null;
    if (path) {
      byField[path] = byField[path] ? `${byField[path]} ${text(error)}` : text(error);
    } else {
      general.push(text(error));
    }
  }
  return { byField, general };
}

/** `field` itself when listed, else its nearest listed parent: `a.b[1]` → `a.b` → `a`. */
function listedPath(field: string, paths: readonly string[]): string | null {
  let path = field;
  for (;;) {
    if (paths.includes(path)) return path;
    const cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
    if (cut <= 0) return null;
    path = path.slice(0, cut);
  }
}

/** What to tell the user when a request failed outside the payload. */
export function failureText(error: unknown): string {
  // A passkey ceremony that failed in the browser says what to do in its own words.
  if (error instanceof PasskeyError) return error.message;
  if (CombinedGraphQLErrors.is(error)) {
    const codes = error.errors.map((e) => e.extensions?.code);
    if (codes.includes('UNAUTHENTICATED')) return 'Please sign in again.';
    if (codes.includes('RATE_LIMITED')) return 'Too many requests. Please wait a moment and try again.';
    if (codes.includes('SERVICE_UNAVAILABLE')) return 'The service is briefly unavailable. Please try again shortly.';
    return error.errors[0]?.message ?? 'Something went wrong.';
  }
  // Apollo cancels what is in flight when the cache is cleared (a sign-out): the server
  // was reached, the answer is just no longer wanted.
  if (error instanceof InvariantError) return 'This was interrupted. Please try again.';
  return 'The server cannot be reached. Check your connection and try again.';
}

export function FormAlert(props: { messages: readonly string[]; title?: string }) {
  if (props.messages.length === 0) return null;
  return (
    <Alert color="red" variant="light" title={props.title ?? 'Please check the form'} role="alert">
      {props.messages.length === 1 ? (
        props.messages[0]
      ) : (
        <List size="sm">
          {props.messages.map((message) => (
            <List.Item key={message}>{message}</List.Item>
          ))}
        </List>
      )}
    </Alert>
  );
}

/**
 * What a section shows until its query first answers: why the load failed, and a loader
 * while it is still loading. Nothing once there is data (a failed refetch keeps the data).
 */
export function FirstLoad(props: { error?: unknown; loading: boolean; loaded: boolean }) {
  if (props.loaded) return null;
  return (
    <>
      {props.error ? (
        <Alert color="red" role="alert">
          {failureText(props.error)}
        </Alert>
      ) : null}
      {props.loading && <PageLoader />}
    </>
  );
}

/** A success message (role="status"), or nothing. */
export function Notice(props: { children?: ReactNode }) {
  if (!props.children) return null;
  return (
    <Alert color="green" role="status">
      {props.children}
    </Alert>
  );
}

/**
 * A card holding one form, named by its heading: the problems above the inputs (`failTitle`
 * heads them), then the success `notice`, then the inputs and buttons.
 */
export function FormCard(props: {
  title: string;
  failTitle: string;
  messages: readonly string[];
  notice?: ReactNode;
  onSubmit: (event: FormEvent) => void;
  children: ReactNode;
}) {
  const titleId = useId();
  return (
    <Card withBorder radius="md" p="lg">
      <form onSubmit={props.onSubmit} noValidate aria-labelledby={titleId}>
        <Stack gap="sm">
          <Title order={2} size="h3" id={titleId}>
            {props.title}
          </Title>
          <FormAlert messages={props.messages} title={props.failTitle} />
          <Notice>{props.notice}</Notice>
          {props.children}
        </Stack>
      </form>
    </Card>
  );
}
