/**
 * The security log in words (pure, tested in securityEvents.test.ts): each kind of event,
 * the method it names, and the device details shown under it.
 */
import type { SecurityEventKind } from '../gql/graphql';

/** What the log says for each kind; a kind newer than this client shows its own name. */
export const EVENT_LABELS: Record<SecurityEventKind, string> = {
  SIGN_IN: 'Signed in',
  SIGN_IN_FAILED: 'Failed sign-in attempt',
  NEW_DEVICE: 'Sign-in from a new device',
  SECOND_FACTOR_FAILED: 'Wrong second-factor code or passkey',
  PASSWORD_CHANGED: 'Password changed',
  PASSWORD_RESET: 'Password reset',
  EMAIL_CHANGED: 'Email address changed',
  EMAIL_VERIFIED: 'Email address verified',
  TOTP_ENABLED: 'Authenticator app turned on',
  TOTP_DISABLED: 'Authenticator app turned off',
  RECOVERY_CODES_GENERATED: 'New recovery codes created',
  RECOVERY_CODE_USED: 'Recovery code used',
  PASSKEY_ADDED: 'Passkey added',
  PASSKEY_REMOVED: 'Passkey removed',
  STEP_UP: 'Identity confirmed for a sensitive change',
  REFRESH_TOKEN_REUSED: 'Session ended: its token was used twice',
  SESSION_ENDED: 'Signed out',
  ALL_SESSIONS_ENDED: 'Signed out everywhere',
};

export const WARNING_KINDS = new Set<string>(['SIGN_IN_FAILED', 'SECOND_FACTOR_FAILED', 'REFRESH_TOKEN_REUSED', 'NEW_DEVICE']);

export function eventLabel(kind: string): string {
  return (EVENT_LABELS as Record<string, string>)[kind] ?? kind.toLowerCase().replace(/_/g, ' ');
}

/** How it happened, by the event's `method` word. */
export const METHOD_PHRASES: Record<string, string> = {
  password: 'with the password',
  google: 'with Google',
  passkey: 'with a passkey',
  totp: 'with the authenticator app',
  recovery_code: 'with a recovery code',
  code: 'with an emailed code',
  link: 'with an emailed link',
  logout: 'by signing out',
  revoke: 'ended from another session',
  refresh: 'on a session refresh',
};

/** Events worth a second look: failed attempts, a new device, a token used twice. */
export function isWarning(kind: string): boolean {
  return WARNING_KINDS.has(kind);
}

/** "with the authenticator app · Chrome on Linux · 203.0.113.7", or a note that nothing is known. */
export function eventDetails(event: { method?: string | null; device?: string | null; ipAddress?: string | null }): string {
  const parts = [
    event.method ? (METHOD_PHRASES[event.method] ?? `method: ${event.method}`) : null,
    event.device || null,
    event.ipAddress || null,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(' · ') : 'No device details';
}
