import { useMutation, useQuery } from '@apollo/client/react';
import { Alert, Anchor, Badge, Button, Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useAuth } from '../auth/AuthContext';
import { FirstLoad, FormAlert, errorText, failureText } from '../components/forms';
import { PageLoader } from '../components/RequireAuth';
import type { SubscriptionFieldsFragment } from '../gql/graphql';
import { CancelSubscriptionMutation, MeQuery, PlansQuery, SubscribeMutation } from '../graphql/operations';
import { formatDate } from './articles';

export function formatPrice(cents: number, currency: string): string {
  return new Intl.NumberFormat('en-GB', { style: 'currency', currency: currency.toUpperCase() }).format(cents / 100);
}

const STATUS_TEXT: Record<string, string> = {
  ACTIVE: 'Active',
  TRIALING: 'Trial',
  PAST_DUE: 'Payment overdue',
  CANCELED: 'Ended',
  INCOMPLETE: 'Waiting for payment',
  INCOMPLETE_EXPIRED: 'Payment not completed',
  UNPAID: 'Unpaid',
  PAUSED: 'Paused',
};

function CurrentSubscription(props: { subscription: SubscriptionFieldsFragment }) {
  const { subscription } = props;
  const [cancel, { loading }] = useMutation(CancelSubscriptionMutation, { refetchQueries: ['Plans', 'Me'] });
  const [problem, setProblem] = useState<string[]>([]);
  const [confirming, setConfirming] = useState(false);

  return (
    <Card withBorder radius="md" p="lg" data-testid="current-subscription">
      <Stack gap="xs">
        <Group justify="space-between">
          <Title order={2} size="h3">
            Your membership: {subscription.plan.name}
          </Title>
          <Badge color={subscription.active ? 'teal.9' : 'gray.8'} variant="filled">
            {STATUS_TEXT[subscription.status] ?? subscription.status}
          </Badge>
        </Group>
        {subscription.active && !subscription.cancelAtPeriodEnd && (
          <Text>Renews on {formatDate(subscription.currentPeriodEnd)}.</Text>
        )}
        {subscription.cancelAtPeriodEnd && (
          <Text>Cancelled: access ends on {formatDate(subscription.accessUntil ?? subscription.currentPeriodEnd)}.</Text>
        )}
        {!subscription.active && <Text>This membership gives no access now.</Text>}
        <FormAlert messages={problem} title="Could not cancel" />
        {subscription.active && !subscription.cancelAtPeriodEnd && (
          <Group>
            {confirming ? (
              <>
                <Text size="sm">Cancel at the end of the paid period?</Text>
                <Button
                  color="red.9"
                  loading={loading}
                  onClick={async () => {
                    try {
                      const { data } = await cancel();
                      setProblem((data?.cancelSubscription.errors ?? []).map(errorText));
                    } catch (error) {
                      setProblem([failureText(error)]);
                    }
                    setConfirming(false);
                  }}
                >
                  Yes, cancel
                </Button>
                <Button variant="default" onClick={() => setConfirming(false)}>
                  Keep it
                </Button>
              </>
            ) : (
              <Button variant="default" onClick={() => setConfirming(true)}>
                Cancel subscription
              </Button>
            )}
          </Group>
        )}
      </Stack>
    </Card>
  );
}

export function PlansPage() {
  const { state } = useAuth();
  const { data, loading, error } = useQuery(PlansQuery, { fetchPolicy: 'cache-and-network' });
  const [subscribe, subscribing] = useMutation(SubscribeMutation, { refetchQueries: ['Plans', 'Me'] });
  const [chosen, setChosen] = useState<string | null>(null);
  const [problem, setProblem] = useState<string[]>([]);
  const me = data?.me;
  const subscription = me?.subscription ?? null;
  const signedIn = state.status === 'signed-in';

  async function choose(slug: string) {
    setChosen(slug);
    setProblem([]);
    try {
      const { data: result } = await subscribe({ variables: { planSlug: slug } });
      const payload = result?.subscribe;
      if (!payload) return;
      if (payload.checkoutUrl) {
        window.location.assign(payload.checkoutUrl);
        return;
      }
      setProblem(payload.errors.map(errorText));
    } catch (error) {
      setProblem([failureText(error)]);
    }
  }

  return (
    <Stack gap="lg">
      <div>
        <Title order={1}>Plans</Title>
        <Text c="dimmed">Membership unlocks premium articles. Cancel any time.</Text>
      </div>
      <FirstLoad error={error} loading={loading} loaded={!!data} />
      {subscription && <CurrentSubscription subscription={subscription} />}
      {signedIn && me && !me.emailVerified && (
        <Alert color="yellow" role="status" title="Verify your email first">
          Open the link we emailed you; then you can subscribe.
        </Alert>
      )}
      <FormAlert messages={problem} title="Could not subscribe" />
      {data && (
        <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} spacing="md">
          {data.plans.map((plan) => {
            const current = subscription?.active && subscription.plan.slug === plan.slug;
            return (
              <Card key={plan.slug} withBorder radius="md" p="lg" data-testid={`plan-${plan.slug}`}>
                <Stack gap="sm" h="100%" justify="space-between">
                  <Stack gap={4}>
                    <Title order={2} size="h3">
                      {plan.name}
                    </Title>
                    <Text size="xl" fw={700}>
                      {formatPrice(plan.price, plan.currency)}
                      <Text span size="sm" c="dimmed" fw={400}>
                        {' '}
                        / {plan.interval === 'YEAR' ? 'year' : 'month'}
                      </Text>
                    </Text>
                    <Text size="sm">{plan.description}</Text>
                    <Text size="sm" c="dimmed">
                      Unlocks articles up to tier {plan.tier}
                    </Text>
                  </Stack>
                  {current ? (
                    <Badge color="teal.9" variant="filled" size="lg">
                      Your plan
                    </Badge>
                  ) : signedIn ? (
                    <Button
                      onClick={() => choose(plan.slug)}
                      loading={subscribing.loading && chosen === plan.slug}
                      disabled={Boolean(subscription?.active) || (me ? !me.emailVerified : false)}
                      aria-label={`Subscribe to ${plan.name}`}
                    >
                      Subscribe
                    </Button>
                  ) : (
                    <Button component={Link} to="/login?next=/plans" variant="default">
                      Sign in to subscribe
                    </Button>
                  )}
                </Stack>
              </Card>
            );
          })}
        </SimpleGrid>
      )}
    </Stack>
  );
}

/** Where Stripe Checkout sends the member back; the payment's webhook may still be on its way. */
export function WelcomePage() {
  const [params] = useSearchParams();
  const { state } = useAuth();
  const { data, startPolling, stopPolling } = useQuery(MeQuery, {
    skip: state.status !== 'signed-in',
    fetchPolicy: 'network-only',
  });
  const active = Boolean(data?.me?.subscription?.active);
  const [waitedTooLong, setWaitedTooLong] = useState(false);

  useEffect(() => {
    if (active || state.status !== 'signed-in') return;
    startPolling(1500);
    const timer = window.setTimeout(() => setWaitedTooLong(true), 30000);
    return () => {
      stopPolling();
      window.clearTimeout(timer);
    };
  }, [active, state.status, startPolling, stopPolling]);

  if (state.status === 'unknown') return <PageLoader />;
  return (
    <Card withBorder radius="md" p="xl" maw={560} mx="auto">
      <Stack gap="md">
        <Title order={1} size="h2">
          {active ? 'Welcome, member!' : 'Thank you!'}
        </Title>
        {active ? (
          <Text>Your {data?.me?.subscription?.plan.name} membership is active. Premium articles are open to you.</Text>
        ) : waitedTooLong ? (
          <Text>The payment is still being confirmed. This page updates as soon as it is; you can also check Plans later.</Text>
        ) : state.status === 'signed-in' ? (
          <Group gap="sm">
            <Text role="status">Confirming your payment…</Text>
          </Group>
        ) : (
          <Text>Sign in to see your membership.</Text>
        )}
        {params.get('session_id') && (
          <Text size="xs" c="dimmed">
            Reference: {params.get('session_id')}
          </Text>
        )}
        <Group>
          <Button component={Link} to="/">
            Read articles
          </Button>
          <Anchor component={Link} to="/plans">
            Your membership
          </Anchor>
        </Group>
      </Stack>
    </Card>
  );
}
