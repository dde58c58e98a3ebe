import { useMutation } from '@apollo/client/react';
import { Alert, Button, Group, Text } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useAuth } from '../../auth/AuthContext';
import { failureText } from '../../components/forms';
import { PageLoader } from '../../components/RequireAuth';
import { SecureAccountMutation } from '../../graphql/operations';
import { AuthCard } from './shared';

type Result = { ok: true } | { ok: false; text: string };

/**
 * The "this wasn't me" link of a security email: `secureAccount` removes the factor the email
 * told of and ends every session of the account, this one too, so this tab signs out.
 */
export function SecureAccountPage() {
  const [params] = useSearchParams();
  const token = params.get('token');
  const { state, ended } = useAuth();
  const [secure] = useMutation(SecureAccountMutation);
  const [result, setResult] = useState<Result | null>(null);
  const started = useRef(false);
  // Wait until this tab knows whether it is signed in: a session restored after the link
  // ended it would only be refused at the next request.
  const known = state.status !== 'unknown';

  useEffect(() => {
    if (!known || started.current) return;
    started.current = true;
    if (!token) {
      setResult({ ok: false, text: 'This link has no token. Open the link from the email again.' });
      return;
    }
    secure({ variables: { token } })
      .then(({ data }) => {
        const payload = data?.secureAccount;
        if (payload?.ok) {
          // The server ended every session; forget this one here and in the other tabs.
          ended('account-secured');
          setResult({ ok: true });
        } else {
          setResult({ ok: false, text: payload?.errors.map((e) => e.message).join(' ') || 'This link cannot be used.' });
        }
      })
      .catch((error: unknown) => setResult({ ok: false, text: failureText(error) }));
  }, [known, token, secure, ended]);

  if (!result) return <PageLoader />;
  if (result.ok) {
    return (
      <AuthCard title="Your account is secured">
        <Alert color="green" role="status" data-testid="secure-account-done">
          Every session was signed out and the factor was removed; sign in again and change your password.
        </Alert>
        <Group gap="sm">
          <Button component={Link} to="/forgot-password">
            Change your password
          </Button>
          <Button component={Link} to="/login" variant="default">
            Sign in
          </Button>
        </Group>
      </AuthCard>
    );
  }
  return (
    <AuthCard title="This link cannot be used">
      <Alert color="red" role="alert">
        {result.text}
      </Alert>
      <Text size="sm">
        If you still think someone else is using your account, sign in and check the security page, or reset your
        password.
      </Text>
      <Group gap="sm">
        <Button component={Link} to="/forgot-password">
          Reset your password
        </Button>
        <Button component={Link} to="/login" variant="default">
          Sign in
        </Button>
      </Group>
    </AuthCard>
  );
}
