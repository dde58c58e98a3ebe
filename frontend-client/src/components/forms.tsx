import { Alert, List } from '@mantine/core';
import { CombinedGraphQLErrors } from '@apollo/client';

/** A payload error; `retryAfter` (seconds) comes with RATE_LIMITED once the server sends it. */
export interface PayloadError {
  field?: string | null;
  message: string;
  code: string;
  retryAfter?: number | null;
}

export function errorText(error: PayloadError): string {
  if (error.code === 'RATE_LIMITED' && typeof error.retryAfter === 'number') {
    return `${error.message} Try again in ${formatWait(error.retryAfter)}.`;
  }
  return error.message;
}

export function formatWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/**
 * Splits payload errors into those shown next to a field of this form and the rest, shown
 * above it. The server names fields in camelCase, e.g. `newPassword`, `links.1`.
 */
export function splitErrors(
  errors: readonly PayloadError[] | null | undefined,
  fields: readonly string[],
): { byField: Record<string, string>; general: string[] } {
  const byField: Record<string, string> = {};
  const general: string[] = [];
  for (const error of errors ?? []) {
    const name = error.field?.split(/[.[]/)[0] ?? null;
    if (name && fields.includes(name)) {
      byField[name] = byField[name] ? `${byField[name]} ${errorText(error)}` : errorText(error);
    } else {
      general.push(errorText(error));
    }
  }
  return { byField, general };
}

/** What to tell the user when a request failed outside the payload. */
export function failureText(error: unknown): string {
  if (CombinedGraphQLErrors.is(error)) {
    const codes = error.errors.map((e) => e.extensions?.code);
    if (codes.includes('UNAUTHENTICATED')) return 'Please sign in again.';
    if (codes.includes('RATE_LIMITED')) return 'Too many requests. Please wait a moment and try again.';
    if (codes.includes('SERVICE_UNAVAILABLE')) return 'The service is briefly unavailable. Please try again shortly.';
    return error.errors[0]?.message ?? 'Something went wrong.';
  }
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
