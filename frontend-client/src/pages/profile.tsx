import { useMutation } from '@apollo/client/react';
import { ActionIcon, Anchor, Button, Card, Group, SimpleGrid, Stack, Text, Textarea, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useAuth } from '../auth/AuthContext';
import { TextField } from '../components/fields';
import { FormCard } from '../components/forms';
import { PageLoader } from '../components/RequireAuth';
import { usePayloadErrors } from '../components/usePayloadErrors';
import type { ProfileFieldsFragment } from '../gql/graphql';
import { UpdateProfileMutation } from '../graphql/operations';
import { formatDate } from './articles';
import { PROFILE_TEXT_FIELDS, profileChanges, profileFormValues } from './profileInput';

function ProfileView(props: { profile: ProfileFieldsFragment; email: string }) {
  const { profile } = props;
  const name = [profile.firstName, profile.lastName].filter(Boolean).join(' ');
  return (
    <Card withBorder radius="md" p="lg" data-testid="profile-view">
      <Stack gap={6}>
        <Title order={2} size="h3">
          {profile.displayName || props.email}
        </Title>
        {name && <Text>{name}</Text>}
        {profile.shortIntro && <Text fw={500}>{profile.shortIntro}</Text>}
        {profile.bio && <Text style={{ whiteSpace: 'pre-wrap' }}>{profile.bio}</Text>}
        {profile.website && (
          <Anchor href={profile.website} target="_blank" rel="noopener noreferrer">
            {profile.website}
          </Anchor>
        )}
        {profile.links.length > 0 && (
          <Stack gap={2} component="ul" style={{ paddingLeft: '1.2rem', margin: 0 }}>
            {profile.links.map((link) => (
              <li key={link}>
                <Anchor href={link} target="_blank" rel="noopener noreferrer">
                  {link}
                </Anchor>
              </li>
            ))}
          </Stack>
        )}
        {!name && !profile.shortIntro && !profile.bio && !profile.website && profile.links.length === 0 && (
          <Text c="dimmed">Nothing about you yet. Add a few words below.</Text>
        )}
      </Stack>
    </Card>
  );
}

function ProfileForm(props: { profile: ProfileFieldsFragment }) {
  // What the form was last filled from: the baseline of "what the user changed".
  const [loaded, setLoaded] = useState(() => profileFormValues(props.profile));
  const [form, setForm] = useState(loaded);
  // Errors name inputs by path: `website`, `links` (the list), `links[2]` (the third input).
  const errors = usePayloadErrors([...PROFILE_TEXT_FIELDS, 'links', ...form.links.map((_, index) => `links[${index}]`)]);
  const { byField } = errors;
  const [saved, setSaved] = useState(false);
  const [update, { loading }] = useMutation(UpdateProfileMutation);

  function set<K extends keyof typeof form>(key: K, value: (typeof form)[K]) {
    setForm((previous) => ({ ...previous, [key]: value }));
    setSaved(false);
  }

  /** A text input of the profile, bound to its key and its errors. */
  function field(key: (typeof PROFILE_TEXT_FIELDS)[number]) {
    return { value: form[key], onChange: (value: string) => set(key, value), error: byField[key] };
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    void errors.attempt(async () => {
      const { data } = await update({ variables: { input: profileChanges(loaded, form) } });
      const payload = data?.updateProfile;
      if (!payload) return;
      errors.setErrors(payload.errors);
      // The payload's user is the cached viewer (same id): `me` and the header update by
      // themselves.
      if (payload.errors.length === 0 && payload.user) {
        const values = profileFormValues(payload.user.profile);
        setLoaded(values);
        setForm(values);
        setSaved(true);
      }
    });
  }

  return (
    <FormCard
      title="Edit profile"
      failTitle="Could not save"
      messages={errors.messages}
      notice={saved && 'Profile saved.'}
      onSubmit={submit}
    >
      <TextField label="Display name" {...field('displayName')} />
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <TextField label="First name" autoComplete="given-name" {...field('firstName')} />
        <TextField label="Last name" autoComplete="family-name" {...field('lastName')} />
      </SimpleGrid>
      <TextField label="Short intro" {...field('shortIntro')} />
      <Textarea
        label="Bio"
        autosize
        minRows={3}
        value={form.bio}
        onChange={(e) => set('bio', e.currentTarget.value)}
        error={byField.bio}
      />
      <TextField label="Website" type="url" placeholder="https://" {...field('website')} />
      <Stack gap={6}>
        <Text size="sm" fw={500} id="links-label">
          Links
        </Text>
        {form.links.map((link, index) => (
          <Group key={index} gap="xs" align="flex-start" wrap="nowrap">
            <TextField
              style={{ flex: 1 }}
              label={`Link ${index + 1}`}
              placeholder="https://"
              type="url"
              value={link}
              onChange={(value) => set('links', form.links.map((l, i) => (i === index ? value : l)))}
              error={byField[`links[${index}]`]}
            />
            <ActionIcon
              variant="default"
              size="lg"
              mt={24}
              aria-label={`Remove link ${index + 1}`}
              onClick={() => {
                set('links', form.links.filter((_, i) => i !== index));
                // Errors about links[n] named the inputs as they were numbered then.
                errors.setErrors((previous) => previous.filter((e) => !/^links\[/.test(e.field ?? '')));
              }}
            >
              ×
            </ActionIcon>
          </Group>
        ))}
        {byField.links && (
          <Text size="sm" c="red.9" role="alert">
            {byField.links}
          </Text>
        )}
        <Button variant="default" size="xs" w="fit-content" onClick={() => set('links', [...form.links, ''])}>
          Add a link
        </Button>
      </Stack>
      <Button type="submit" loading={loading} disabled={errors.wait > 0} w="fit-content">
        Save profile
      </Button>
    </FormCard>
  );
}

export function ProfilePage() {
  const { viewer } = useAuth();
  if (!viewer) return <PageLoader />;
  return (
    <Stack gap="lg" maw={760}>
      <div>
        <Title order={1}>Your profile</Title>
        <Text c="dimmed">
          {viewer.email} · member since {formatDate(viewer.dateJoined)}
          {viewer.emailVerified ? '' : ' · email not verified yet'}
        </Text>
      </div>
      <ProfileView profile={viewer.profile} email={viewer.email} />
      <ProfileForm profile={viewer.profile} />
    </Stack>
  );
}
