import { useQuery } from '@apollo/client/react';
import { Alert, Anchor, Badge, Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { Link, useParams } from 'react-router';
import { useAuth } from '../auth/AuthContext';
import { FirstLoad, failureText } from '../components/forms';
import { PageLoader } from '../components/RequireAuth';
import type { ArticleSummaryFieldsFragment } from '../gql/graphql';
import { ArticleQuery, ArticlesQuery } from '../graphql/operations';

const PAGE_SIZE = 4;

export function formatDate(value: string | null | undefined): string {
  if (!value) return '—';
  return new Date(value).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric' });
}

function LockIcon() {
  return (
    <svg width="10" height="10" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <path
        fill="currentColor"
        d="M8 1a4 4 0 0 0-4 4v2H3a1 1 0 0 0-1 1v6a1 1 0 0 0 1 1h10a1 1 0 0 0 1-1V8a1 1 0 0 0-1-1h-1V5a4 4 0 0 0-4-4Zm-2 6V5a2 2 0 1 1 4 0v2H6Z"
      />
    </svg>
  );
}

function AccessBadge(props: { article: ArticleSummaryFieldsFragment }) {
  const { article } = props;
  if (!article.premium) {
    return (
      <Badge color="teal.9" variant="filled">
        Free
      </Badge>
    );
  }
  return (
    <Group gap={6}>
      <Badge color="indigo.9" variant="filled">
        Premium · tier {article.requiredTier}
      </Badge>
      {article.locked ? (
        <Badge color="red.9" variant="filled" aria-label="Locked: subscribe to read">
          <Group gap={4} wrap="nowrap" component="span">
            <LockIcon />
            Locked
          </Group>
        </Badge>
      ) : (
        <Badge color="teal.9" variant="outline">
          Unlocked
        </Badge>
      )}
    </Group>
  );
}

export function ArticlesPage() {
  const { data, loading, error, fetchMore } = useQuery(ArticlesQuery, {
    variables: { first: PAGE_SIZE, after: null },
    notifyOnNetworkStatusChange: true,
  });
  const connection = data?.articles;

  return (
    <Stack gap="lg">
      <div>
        <Title order={1}>Articles</Title>
        <Text c="dimmed">Free pieces for everyone; premium ones for members.</Text>
      </div>
      <FirstLoad error={error} loading={loading} loaded={!!connection} />
      {connection && (
        <>
          <Text size="sm" c="dimmed" data-testid="article-count">
            Showing {connection.edges.length} of {connection.totalCount}
          </Text>
          <Stack gap="md" component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
            {connection.edges.map(({ node }) => (
              <Card key={node.slug} component="li" withBorder radius="md" p="lg">
                <Stack gap="xs">
                  <Group justify="space-between" align="flex-start" wrap="wrap">
                    <Title order={2} size="h3">
                      <Anchor component={Link} to={`/articles/${node.slug}`} c="dark.8" fw={700} inherit>
                        {node.title}
                      </Anchor>
                    </Title>
                    <AccessBadge article={node} />
                  </Group>
                  <Text size="sm" c="dimmed">
                    {formatDate(node.publishedAt)}
                  </Text>
                  <Text>{node.summary}</Text>
                  {node.locked && (
                    <Text size="sm" fw={500}>
                      Members with a tier {node.requiredTier} plan can read the full article.{' '}
                      <Anchor component={Link} to="/plans">
                        See plans
                      </Anchor>
                    </Text>
                  )}
                </Stack>
              </Card>
            ))}
          </Stack>
          {connection.pageInfo.hasNextPage && (
            <Button
              variant="default"
              loading={loading}
              onClick={() => fetchMore({ variables: { after: connection.pageInfo.endCursor } })}
            >
              Load more articles
            </Button>
          )}
        </>
      )}
    </Stack>
  );
}

export function ArticlePage() {
  const { slug = '' } = useParams();
  const { state } = useAuth();
  const { data, loading, error } = useQuery(ArticleQuery, {
    variables: { slug },
    fetchPolicy: 'cache-and-network',
  });
  const article = data?.article;

  if (!data && loading) return <PageLoader />;
  if (error && !article) {
    return (
      <Alert color="red" role="alert">
        {failureText(error)}
      </Alert>
    );
  }
  if (!article) {
    return (
      <Stack>
        <Title order={1}>Article not found</Title>
        <Anchor component={Link} to="/">
          Back to articles
        </Anchor>
      </Stack>
    );
  }
  return (
    <Stack gap="md" maw={760} component="article">
      <Anchor component={Link} to="/" size="sm">
        ← All articles
      </Anchor>
      <Title order={1}>{article.title}</Title>
      <Group gap="sm">
        <Text size="sm" c="dimmed">
          {formatDate(article.publishedAt)}
        </Text>
        <AccessBadge article={article} />
      </Group>
      <Text size="lg" fw={500}>
        {article.summary}
      </Text>
      {article.locked ? (
        <Card withBorder radius="md" p="xl" data-testid="paywall" bg="gray.0">
          <Stack gap="sm">
            <Title order={2} size="h3">
              This article is for members
            </Title>
            <Text>
              Subscribe to a plan of tier {article.requiredTier} or higher to read the whole piece.
            </Text>
            <Group>
              <Button component={Link} to="/plans">
                See plans
              </Button>
              {state.status !== 'signed-in' && (
                <Button component={Link} to={`/login?next=/articles/${article.slug}`} variant="default">
                  Sign in
                </Button>
              )}
            </Group>
          </Stack>
        </Card>
      ) : (
        <div className="article-body" data-testid="article-body">
          {(article.body ?? '').split(/\n{2,}/).map((paragraph, index) => (
            <p key={index}>{paragraph}</p>
          ))}
        </div>
      )}
    </Stack>
  );
}
