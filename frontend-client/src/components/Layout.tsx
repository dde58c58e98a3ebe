import { Alert, Anchor, Box, Button, Container, Group, Text } from '@mantine/core';
import { useState } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router';
import { SIGN_OUT_MESSAGES } from '../auth/tokens';
import { useAuth } from '../auth/AuthContext';
import { PageLoader } from './RequireAuth';
import { RetryBanner } from './RetryBanner';
import { SignOutButton } from './SignOutButton';

function HeaderLink(props: { to: string; children: string }) {
  return (
    <Anchor component={NavLink} to={props.to} c="dark.7" fw={500} className="nav-link">
      {props.children}
    </Anchor>
  );
}

/**
 * Why the session ended, when the user did not end it here (another device, everywhere, an
 * expired session): on every page but the sign-in page, which says it in its own card.
 */
function SignedOutNotice() {
  const { state } = useAuth();
  const { pathname } = useLocation();
  const reason = state.status === 'signed-out' ? state.reason : null;
  const [dismissed, setDismissed] = useState<typeof reason>(null);
  if (!reason || reason === 'signed-out' || reason === dismissed || pathname.startsWith('/login')) return null;
  return (
    <Container size="lg" pt="md">
      <Alert color="blue" title="Signed out" role="status" withCloseButton closeButtonLabel="Dismiss" onClose={() => setDismissed(reason)}>
        {SIGN_OUT_MESSAGES[reason]}
      </Alert>
    </Container>
  );
}

export function Layout() {
  const { state, viewer } = useAuth();
  const signedIn = state.status === 'signed-in';
  const who = viewer?.profile.displayName || viewer?.email;

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Box component="header" className="site-header">
        <Container size="lg">
          <Group justify="space-between" py="sm" gap="sm" wrap="wrap">
            <Anchor component={NavLink} to="/" className="brand" underline="never">
              Gatehouse
            </Anchor>
            <Group component="nav" aria-label="Main" gap="md" wrap="wrap">
              <HeaderLink to="/">Articles</HeaderLink>
              <HeaderLink to="/plans">Plans</HeaderLink>
              {signedIn && <HeaderLink to="/profile">Profile</HeaderLink>}
              {signedIn && <HeaderLink to="/account/security">Security</HeaderLink>}
            </Group>
            <Group gap="sm" wrap="wrap">
              {state.status === 'unknown' ? null : signedIn ? (
                <>
                  <Text size="sm" data-testid="signed-in-as">
                    Signed in as <strong>{who ?? '…'}</strong>
                  </Text>
                  <SignOutButton />
                </>
              ) : (
                <>
                  <Button component={NavLink} to="/login" variant="default" size="xs">
                    Sign in
                  </Button>
                  <Button component={NavLink} to="/register" size="xs">
                    Create account
                  </Button>
                </>
              )}
            </Group>
          </Group>
        </Container>
      </Box>
      <RetryBanner />
      <SignedOutNotice />
      <Container size="lg" component="main" id="main" py="xl" tabIndex={-1}>
        {/* Nothing is fetched before the session is restored: it would be read anonymously. */}
        {state.status === 'unknown' ? <PageLoader /> : <Outlet />}
      </Container>
      <Box component="footer" className="site-footer">
        <Container size="lg">
          <Text size="sm" c="dark.6">
            Gatehouse · membership articles
          </Text>
        </Container>
      </Box>
    </>
  );
}
