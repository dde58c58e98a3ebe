import { useMutation } from '@apollo/client/react';
import { Anchor, Button, Stack } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { flowPath, recallReturn } from '../../auth/returnTo';
import { NewPasswordFields } from '../../components/fields';
import { FormAlert } from '../../components/forms';
import { usePayloadErrors } from '../../components/usePayloadErrors';
import { ResetPasswordMutation } from '../../graphql/operations';
import { AuthCard, PasswordChangedCard, usePasswordResetDone } from './shared';

export function ResetPasswordPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const form = usePayloadErrors(['newPassword']);
  const [done, markDone] = usePasswordResetDone();
  const [reset, { loading }] = useMutation(ResetPasswordMutation);
  // A link used before, expired or cut: the way on is a new one.
  const [spent, setSpent] = useState(!token);

  function submit(event: FormEvent) {
    event.preventDefault();
    void form.attempt(async () => {
      if (password !== confirm) return;
      const { data } = await reset({ variables: { token, newPassword: password } });
      const payload = data?.resetPassword;
      if (!payload) return;
      form.setErrors(payload.errors);
      setSpent(payload.errors.some((e) => e.code === 'INVALID_TOKEN' || e.code === 'TOKEN_EXPIRED'));
      if (payload.ok) markDone();
    });
  }

  if (done) return <PasswordChangedCard back={recallReturn()} />;
  return (
    <AuthCard title="Choose a new password">
      {!token && <FormAlert messages={['This link has no token. Open the link from the email again.']} />}
      <FormAlert messages={form.messages} title="Could not reset the password" />
      {spent && (
        <Anchor component={Link} to={flowPath('/forgot-password', recallReturn() ?? {})}>
          Send me a new link
        </Anchor>
      )}
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <NewPasswordFields
            autoFocus
            password={password}
            confirm={confirm}
            onPassword={setPassword}
            onConfirm={setConfirm}
            error={form.byField.newPassword}
          />
          <Button type="submit" loading={loading} disabled={!token || form.wait > 0} fullWidth>
            Set new password
          </Button>
        </Stack>
      </form>
    </AuthCard>
  );
}
