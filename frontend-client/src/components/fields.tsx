import { PasswordInput, TextInput, type TextInputProps } from '@mantine/core';
import type { ChangeEvent } from 'react';

/**
 * The form fields every page uses, written once: a field takes its value, gets the new text
 * (not the event), and shows its error next to it with `aria-invalid` set, so a screen
 * reader hears which input is at fault. Any other input prop (maw, autoFocus,
 * data-autofocus…) passes through.
 */
export interface FieldProps
  extends Pick<
    TextInputProps,
    'label' | 'description' | 'required' | 'autoComplete' | 'autoFocus' | 'maw' | 'maxLength' | 'placeholder' | 'style' | 'type'
  > {
  value: string;
  onChange: (value: string) => void;
  error?: string | null;
}

function bound({ value, onChange, error, ...rest }: FieldProps) {
  return {
    ...rest,
    value,
    onChange: (event: ChangeEvent<HTMLInputElement>) => onChange(event.currentTarget.value),
    error: error || undefined,
    'aria-invalid': Boolean(error),
  };
}

export function TextField(props: FieldProps) {
  return <TextInput {...bound(props)} />;
}

export function EmailField(props: FieldProps) {
  return <TextInput label="Email" type="email" autoComplete="email" required {...bound(props)} />;
}

export const PASSWORD_RULES = 'At least 10 characters, not a common password.';

/** The account's password (`current`) or a new one, with the rules the server checks. */
export function PasswordField(props: FieldProps & { kind: 'current' | 'new' }) {
  const { kind, ...field } = props;
  return (
    <PasswordInput
      label="Password"
      description={kind === 'new' ? PASSWORD_RULES : undefined}
      autoComplete={kind === 'new' ? 'new-password' : 'current-password'}
      {...bound(field)}
    />
  );
}

/** The input for a 6-digit code emailed by a verification or a reset. */
export function EmailCodeField(props: FieldProps) {
  return (
    <TextInput
      label="6-digit code"
      description="From the email we just sent. It works once and expires after a few minutes."
      autoComplete="one-time-code"
      inputMode="numeric"
      required
      maxLength={20}
      {...bound(props)}
    />
  );
}

/** A code from the authenticator app: digits, filled in from the keyboard's one-time-code hint. */
export function AppCodeField(props: FieldProps) {
  return <TextInput label="Authentication code" autoComplete="one-time-code" inputMode="numeric" {...bound(props)} />;
}

/** One of the recovery codes; nothing to fill it in from. */
export function RecoveryCodeField(props: FieldProps) {
  return <TextInput label="Recovery code" autoComplete="off" {...bound(props)} />;
}

function passwordMismatch(password: string, confirm: string): string | undefined {
  return confirm.length > 0 && confirm !== password ? 'The passwords do not match.' : undefined;
}

/** A new password and its repetition, with the rules and messages of every reset. */
export function NewPasswordFields(props: {
  password: string;
  confirm: string;
  onPassword: (value: string) => void;
  onConfirm: (value: string) => void;
  error?: string;
  autoFocus?: boolean;
}) {
  return (
    <>
      <PasswordField
        kind="new"
        label="New password"
        required
        autoFocus={props.autoFocus}
        value={props.password}
        onChange={props.onPassword}
        error={props.error}
      />
      <PasswordField
        kind="new"
        label="Repeat the new password"
        description={undefined}
        required
        value={props.confirm}
        onChange={props.onConfirm}
        error={passwordMismatch(props.password, props.confirm)}
      />
    </>
  );
}
