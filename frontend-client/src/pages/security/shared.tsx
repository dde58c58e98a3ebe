import { Alert, Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { useState, type ReactNode } from 'react';
import { describeError, type CodedError } from '../../auth/secondFactor';
import { Notice, failureText } from '../../components/forms';
import { useStepUp } from '../../components/StepUp';

export function errorsText(errors: readonly CodedError[]): string[] {
  return errors.map((error) => describeError(error));
}

export function Problems(props: { messages: readonly string[] }) {
  if (props.messages.length === 0) return null;
  return (
    <Alert color="red" variant="light" role="alert">
      {props.messages.join(' ')}
    </Alert>
  );
}

/**
 * A security card's messages (problems, then a success notice) and how its buttons run a
 * sensitive mutation: messages cleared, the step-up confirmation when the server asks for
 * it, then `onResult` with the payload; whatever fails on the way is shown as a problem.
 */
export function useSecurityCard() {
  const stepUp = useStepUp();
  const [problems, setProblems] = useState<string[]>([]);
  const [notice, setNotice] = useState<string | null>(null);

  async function run<T extends { errors: readonly CodedError[] }>(
    action: () => Promise<T | null | undefined>,
    onResult: (payload: T | null | undefined) => void | Promise<void>,
  ): Promise<void> {
    setProblems([]);
    setNotice(null);
    try {
      await onResult((await stepUp.run(action, (payload) => payload?.errors)).result);
    } catch (failure) {
      setProblems([failureText(failure)]);
    }
  }

  return {
    run,
    setNotice,
    setProblems,
    /** Shows a payload's errors as the card's problems. */
    fail: (errors: readonly CodedError[] | null | undefined) => setProblems(errorsText(errors ?? [])),
    messages: (
      <>
        <Problems messages={problems} />
        <Notice>{notice}</Notice>
      </>
    ),
  };
}

/** A card of the security page: its heading (with `badge` beside it), then its content. */
export function SectionCard(props: { title: string; badge?: ReactNode; testId?: string; children: ReactNode }) {
  return (
    <Card withBorder radius="md" p="lg" data-testid={props.testId}>
      <Stack gap="sm">
        <Group gap="sm">
          <Title order={2} size="h3">
            {props.title}
          </Title>
          {props.badge}
        </Group>
        {props.children}
      </Stack>
    </Card>
  );
}

/** A list of things (sessions, passkeys, events), each an `Item`. */
export function ItemList(props: { testId: string; children: ReactNode }) {
  return (
    <Stack gap="xs" component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }} data-testid={props.testId}>
      {props.children}
    </Stack>
  );
}

/** One thing of an `ItemList`: its name and badges, a line of details, and `aside` (a button, a time). */
export function Item(props: { name: ReactNode; badges?: ReactNode; details: ReactNode; aside?: ReactNode; alignTop?: boolean }) {
  return (
    <Card component="li" withBorder radius="sm" p="sm">
      <Group justify="space-between" wrap="wrap" gap="xs" align={props.alignTop ? 'flex-start' : 'center'}>
        <Stack gap={2} style={{ minWidth: 0 }}>
          <Group gap="xs">
            <Text fw={600}>{props.name}</Text>
            {props.badges}
          </Group>
          <Text size="sm" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
            {props.details}
          </Text>
        </Stack>
        {props.aside}
      </Group>
    </Card>
  );
}

/** A form's submit button and its Cancel. */
export function SubmitOrCancel(props: { label: string; loading: boolean; danger?: boolean; onCancel: () => void }) {
  return (
    <Group gap="sm">
      <Button type="submit" color={props.danger ? 'red.9' : undefined} loading={props.loading}>
        {props.label}
      </Button>
      <Button variant="default" onClick={props.onCancel}>
        Cancel
      </Button>
    </Group>
  );
}
