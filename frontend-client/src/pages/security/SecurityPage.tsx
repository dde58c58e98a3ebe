import { Anchor, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { useAuth } from '../../auth/AuthContext';
import { ChangePassword } from './ChangePassword';
import { PasskeysCard } from './Passkeys';
import { Sessions } from './Sessions';
import { TwoStepCard } from './TwoStep';

function SecurityLogLink() {
  return (
    <Text>
      <Anchor component={Link} to="/account/security-log" underline="always">
        Recent activity on your account
      </Anchor>{' '}
      — sign-ins, new devices and changes to your sign-in methods.
    </Text>
  );
}

export function SecurityPage() {
  const { viewer } = useAuth();
  return (
    <Stack gap="lg" maw={760}>
      <div>
        <Title order={1}>Account security</Title>
        <Text c="dimmed">
          Your devices, sign-in methods and password{viewer ? ` for ${viewer.email}` : ''}.
        </Text>
      </div>
      <SecurityLogLink />
      <Sessions />
      <TwoStepCard />
      <PasskeysCard />
      <ChangePassword />
    </Stack>
  );
}
