import { Button } from '@mantine/core';
import { useNavigate } from 'react-router';
import { useAuth } from '../auth/AuthContext';

/** Signs this browser out (the server ends its session) and goes to the sign-in page. */
export function SignOutButton() {
  const { signOut } = useAuth();
  const navigate = useNavigate();
  return (
    <Button
      variant="default"
      size="xs"
      onClick={async () => {
        await signOut();
        navigate('/login');
      }}
    >
      Sign out
    </Button>
  );
}
