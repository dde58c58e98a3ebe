import { useMutation } from '@apollo/client/react';
import { Anchor, Button, Stack, Text } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import type { EmailMethod } from '../../auth/emailCode';
import { flowPath, rememberReturn, safeNext } from '../../auth/returnTo';
import { EmailField, PasswordField, TextField } from '../../components/fields';
import { FormAlert } from '../../components/forms';
import { usePayloadErrors } from '../../components/usePayloadErrors';
import { RegisterMutation } from '../../graphql/operations';
import { AuthCard, MethodChoice } from './shared';

export function RegisterPage() {
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [method, setMethod] = useState<EmailMethod>('LINK');
  const form = usePayloadErrors(['email', 'password', 'profile.displayName']);
  const [register, { loading }] = useMutation(RegisterMutation);

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!form.emailGiven(email)) return;
    void form.attempt(async () => {
      const profile = displayName.trim() ? { displayName: displayName.trim() } : null;
      const { data } = await register({
        variables: { input: { email, password, profile, verificationMethod: method } },
      });
      const payload = data?.register;
      if (!payload) return;
      form.setErrors(payload.errors);
      if (payload.ok) {
        // The link opens in another tab: it finds the address and the page to go back to.
        rememberReturn({ email, next });
        const query = `email=${encodeURIComponent(email)}${method === 'CODE' ? '&method=code' : ''}`;
        navigate(`/check-email?${query}`);
      }
    });
  }

  return (
    <AuthCard title="Create your account" intro="Read free articles now; subscribe to unlock premium ones.">
      <FormAlert messages={form.messages} />
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <EmailField value={email} onChange={setEmail} error={form.byField.email} autoFocus />
          <PasswordField kind="new" required value={password} onChange={setPassword} error={form.byField.password} />
          <TextField
            label="Display name (optional)"
            autoComplete="nickname"
            value={displayName}
            onChange={setDisplayName}
            error={form.byField['profile.displayName']}
          />
          <MethodChoice label="To confirm your email address" value={method} onChange={setMethod} />
          <Button type="submit" loading={loading} disabled={form.wait > 0} fullWidth>
            Create account
          </Button>
        </Stack>
      </form>
      <Text size="sm" ta="center">
        Already have an account?{' '}
        <Anchor component={Link} to={flowPath('/login', { next })}>
          Sign in
        </Anchor>
      </Text>
    </AuthCard>
  );
}
