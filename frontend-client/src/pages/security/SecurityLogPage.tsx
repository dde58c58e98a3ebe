import { useQuery } from '@apollo/client/react';
import { Anchor, Badge, Button, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { FirstLoad } from '../../components/forms';
import { SecurityEventsQuery } from '../../graphql/operations';
import { eventDetails, eventLabel, isWarning } from '../securityEvents';
import { Item, ItemList } from './shared';

function formatDateTime(value: string): string {
  return new Date(value).toLocaleString('en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}

const PAGE_SIZE = 20;

export function SecurityLogPage() {
  const { data, loading, error, fetchMore } = useQuery(SecurityEventsQuery, {
    variables: { first: PAGE_SIZE, after: null },
    fetchPolicy: 'cache-and-network',
    notifyOnNetworkStatusChange: true,
  });
  const connection = data?.securityEvents;

  return (
    <Stack gap="lg" maw={760}>
      <div>
        <Title order={1}>Security log</Title>
        <Text c="dimmed">
          What happened on your account, newest first. Something you do not recognise?{' '}
          <Anchor component={Link} to="/account/security" underline="always">
            Change your password and sign out everywhere
          </Anchor>
          .
        </Text>
      </div>
      <FirstLoad error={error} loading={loading} loaded={!!connection} />
      {connection && connection.edges.length === 0 && <Text>Nothing recorded yet.</Text>}
      {connection && connection.edges.length > 0 && (
        <Text size="sm" data-testid="security-event-count">
          Showing {connection.edges.length} of {connection.totalCount}
        </Text>
      )}
      {connection && (
        <ItemList testId="security-events">
          {connection.edges.map(({ node }) => (
            <Item
              key={node.id}
              alignTop
              name={eventLabel(node.kind)}
              badges={
                isWarning(node.kind) && (
                  <Badge color="red.9" variant="outline">
                    Check
                  </Badge>
                )
              }
              details={eventDetails(node)}
              aside={
                <Text size="sm" component="time" dateTime={node.occurredAt}>
                  {formatDateTime(node.occurredAt)}
                </Text>
              }
            />
          ))}
        </ItemList>
      )}
      {connection?.pageInfo.hasNextPage && (
        <Button
          variant="default"
          w="fit-content"
          loading={loading}
          onClick={() => fetchMore({ variables: { after: connection.pageInfo.endCursor } })}
        >
          Load more events
        </Button>
      )}
    </Stack>
  );
}
