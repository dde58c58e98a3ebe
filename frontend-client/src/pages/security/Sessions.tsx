import { useMutation, useQuery } from '@apollo/client/react';
import { Badge, Button, Group, Text } from '@mantine/core';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useAuth } from '../../auth/AuthContext';
import { describeError } from '../../auth/secondFactor';
import { FirstLoad, FormAlert, failureText } from '../../components/forms';
import { SignOutButton } from '../../components/SignOutButton';
import { useStepUp } from '../../components/StepUp';
import { RevokeSessionMutation, SessionsQuery } from '../../graphql/operations';
import { formatDate } from '../articles';
import { describeDevice } from '../devices';
import { Item, ItemList, SectionCard } from './shared';

const AUTH_METHOD_LABELS: Record<string, string> = { PASSWORD: 'Password', GOOGLE: 'Google', PASSKEY: 'Passkey' };

export function Sessions() {
  const { signOutEverywhere } = useAuth();
  const stepUp = useStepUp();
  const navigate = useNavigate();
  const { data, loading, error, refetch } = useQuery(SessionsQuery, { fetchPolicy: 'cache-and-network' });
  const [revoke] = useMutation(RevokeSessionMutation);
  const [ending, setEnding] = useState<string | null>(null);
  const [confirmAll, setConfirmAll] = useState(false);
  const [problem, setProblem] = useState<string[]>([]);

  async function end(id: string) {
    setEnding(id);
    setProblem([]);
    try {
      const { data: result } = await revoke({ variables: { id } });
      setProblem((result?.revokeSession.errors ?? []).map((e) => e.message));
      await refetch();
    } catch (failure) {
      setProblem([failureText(failure)]);
    }
    setEnding(null);
  }

  return (
    <SectionCard title="Where you are signed in">
      <FormAlert messages={problem} title="Could not end the session" />
      <FirstLoad error={error} loading={loading} loaded={!!data} />
      <ItemList testId="sessions">
        {data?.sessions.map((session) => (
          <Item
            key={session.id}
            name={describeDevice(session.userAgent)}
            badges={
              <>
                {session.current && (
                  <Badge color="blue.9" variant="filled">
                    This device
                  </Badge>
                )}
                <Badge color="gray.8" variant="outline">
                  {AUTH_METHOD_LABELS[session.authMethod] ?? session.authMethod}
                </Badge>
              </>
            }
            details={
              <>
                Signed in {formatDate(session.createdAt)} · last active {formatDate(session.lastUsedAt)}
                {session.ipAddress ? ` · ${session.ipAddress}` : ''}
              </>
            }
            aside={
              session.current ? (
                <SignOutButton />
              ) : (
                <Button
                  variant="default"
                  size="xs"
                  loading={ending === session.id}
                  aria-label={`End session on ${describeDevice(session.userAgent)}, signed in ${formatDate(session.createdAt)}`}
                  onClick={() => end(session.id)}
                >
                  End session
                </Button>
              )
            }
          />
        ))}
      </ItemList>
      <Group gap="sm">
        {confirmAll ? (
          <>
            <Text size="sm">Sign out on every device, this one too?</Text>
            <Button
              color="red.9"
              onClick={async () => {
                setProblem([]);
                try {
                  const outcome = await stepUp.run(() => signOutEverywhere(), (errors) => errors);
                  if (outcome.result.length === 0) navigate('/login');
                  else {
                    setConfirmAll(false);
                    setProblem(outcome.result.map((e) => describeError(e)));
                  }
                } catch (failure) {
                  setProblem([failureText(failure)]);
                }
              }}
            >
              Yes, sign out everywhere
            </Button>
            <Button variant="default" onClick={() => setConfirmAll(false)}>
              Cancel
            </Button>
          </>
        ) : (
          <Button color="red.9" variant="outline" onClick={() => setConfirmAll(true)}>
            Sign out everywhere
          </Button>
        )}
      </Group>
    </SectionCard>
  );
}
