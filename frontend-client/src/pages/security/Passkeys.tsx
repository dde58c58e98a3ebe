import { useMutation, useQuery } from '@apollo/client/react';
import { Badge, Button, Group, Text } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { createPasskey, passkeysSupported } from '../../auth/webauthn';
import { TextField } from '../../components/fields';
import { FirstLoad } from '../../components/forms';
import {
  FinishPasskeyRegistrationMutation,
  PasskeysQuery,
  RemovePasskeyMutation,
  StartPasskeyRegistrationMutation,
} from '../../graphql/operations';
import { formatDate } from '../articles';
import { Item, ItemList, SectionCard, useSecurityCard } from './shared';

/** The viewer's passkeys: list, add (WebAuthn registration), remove. */
export function PasskeysCard() {
  const card = useSecurityCard();
  const { data, loading, error } = useQuery(PasskeysQuery, { fetchPolicy: 'cache-and-network' });
  const refetchQueries = ['Passkeys', 'SecondFactors'];
  const [startRegistration] = useMutation(StartPasskeyRegistrationMutation);
  const [finishRegistration] = useMutation(FinishPasskeyRegistrationMutation, { refetchQueries });
  const [remove] = useMutation(RemovePasskeyMutation, { refetchQueries });
  const [name, setName] = useState('');
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<string | null>(null);
  const supported = passkeysSupported();

  async function add(event: FormEvent) {
    event.preventDefault();
    setAdding(true);
    await card.run(
      async () => (await startRegistration()).data?.startPasskeyRegistration,
      async (started) => {
        if (!started?.options) {
          card.fail(started?.errors);
          return;
        }
        const credential = await createPasskey(started.options);
        const { data: finished } = await finishRegistration({
          variables: { credential, name: name.trim() || null },
        });
        const payload = finished?.finishPasskeyRegistration;
        if (payload?.passkey) {
          setName('');
          card.setNotice(`Passkey “${payload.passkey.name}” added. You can now sign in with it.`);
        } else {
          card.fail(payload?.errors);
        }
      },
    );
    setAdding(false);
  }

  async function removeOne(id: string, label: string) {
    setRemoving(id);
    await card.run(
      async () => (await remove({ variables: { id } })).data?.removePasskey,
      (payload) => {
        if (payload?.ok) card.setNotice(`Passkey “${label}” removed.`);
        else card.fail(payload?.errors);
      },
    );
    setRemoving(null);
  }

  return (
    <SectionCard title="Passkeys">
      <Text>
        A passkey signs you in with your fingerprint, face or screen lock, with no password. It works only on this
        site, so it cannot be phished.
      </Text>
      <FirstLoad error={error} loading={loading} loaded={!!data} />
      {card.messages}
      {data && data.passkeys.length === 0 && <Text c="dimmed">No passkeys yet.</Text>}
      <ItemList testId="passkeys">
        {data?.passkeys.map((passkey) => (
          <Item
            key={passkey.id}
            name={passkey.name}
            badges={
              passkey.backedUp && (
                <Badge color="blue.9" variant="outline">
                  Synced
                </Badge>
              )
            }
            details={
              <>
                Added {formatDate(passkey.createdAt)} ·{' '}
                {passkey.lastUsedAt ? `last used ${formatDate(passkey.lastUsedAt)}` : 'never used'}
              </>
            }
            aside={
              <Button
                variant="default"
                size="xs"
                loading={removing === passkey.id}
                aria-label={`Remove the passkey ${passkey.name}`}
                onClick={() => removeOne(passkey.id, passkey.name)}
              >
                Remove
              </Button>
            }
          />
        ))}
      </ItemList>
      {supported ? (
        <form onSubmit={add} noValidate>
          <Group align="flex-end" gap="sm" wrap="wrap">
            <TextField
              label="Name (optional)"
              description="To tell your passkeys apart, e.g. “Work laptop”."
              value={name}
              maxLength={60}
              onChange={setName}
              style={{ flex: '1 1 220px' }}
            />
            <Button type="submit" loading={adding}>
              Add a passkey
            </Button>
          </Group>
        </form>
      ) : (
        <Text c="dimmed">This browser cannot create passkeys.</Text>
      )}
    </SectionCard>
  );
}
