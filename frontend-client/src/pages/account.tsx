import { useMutation, useQuery } from '@apollo/client/react';
import {
  ActionIcon,
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  PasswordInput,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Textarea,
  Title,
} from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { useAuth } from '../auth/AuthContext';
import { describeError } from '../auth/secondFactor';
import { FirstLoad, FormAlert, failureText, splitErrors, type PayloadError } from '../components/forms';
import { PageLoader } from '../components/RequireAuth';
import { useStepUp } from '../components/StepUp';
import type { ProfileFieldsFragment } from '../gql/graphql';
import {
  ChangePasswordMutation,
  RevokeSessionMutation,
  SessionsQuery,
  UpdateProfileMutation,
} from '../graphql/operations';
import { formatDate } from './articles';
import { PROFILE_TEXT_FIELDS, profileChanges, profileFormValues } from './profileInput';
import { PasskeysCard, SecurityLogLink, TwoStepCard } from './security';

const AUTH_METHOD_LABELS: Record<string, string> = { PASSWORD: 'Password', GOOGLE: 'Google', PASSKEY: 'Passkey' };

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
  const [errors, setErrors] = useState<PayloadError[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [update, { loading }] = useMutation(UpdateProfileMutation);
  // Errors name inputs by path: `website`, `links` (the list), `links[2]` (the third input).
  const { byField, general } = splitErrors(errors, [
    ...PROFILE_TEXT_FIELDS,
    'links',
    ...form.links.map((_, index) => `links[${index}]`),
  ]);

  function set<K extends keyof typeof form>(key: K, value: (typeof form)[K]) {
    setForm((previous) => ({ ...previous, [key]: value }));
    setSaved(false);
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFailure(null);
    try {
      const { data } = await update({ variables: { input: profileChanges(loaded, form) } });
      const payload = data?.updateProfile;
      if (!payload) return;
      setErrors(payload.errors);
      // The payload's user is the cached viewer (same id): `me` and the header update by
      // themselves.
      if (payload.errors.length === 0 && payload.user) {
        const values = profileFormValues(payload.user.profile);
        setLoaded(values);
        setForm(values);
        setSaved(true);
      }
    } catch (error) {
      setFailure(failureText(error));
    }
  }

  return (
    <Card withBorder radius="md" p="lg">
      <form onSubmit={submit} noValidate aria-labelledby="edit-profile-title">
        <Stack gap="sm">
          <Title order={2} size="h3" id="edit-profile-title">
            Edit profile
          </Title>
          <FormAlert messages={failure ? [failure, ...general] : general} title="Could not save" />
          {saved && (
            <Alert color="green" role="status">
              Profile saved.
            </Alert>
          )}
          <TextInput label="Display name" value={form.displayName} onChange={(e) => set('displayName', e.currentTarget.value)} error={byField.displayName} />
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput label="First name" autoComplete="given-name" value={form.firstName} onChange={(e) => set('firstName', e.currentTarget.value)} error={byField.firstName} />
            <TextInput label="Last name" autoComplete="family-name" value={form.lastName} onChange={(e) => set('lastName', e.currentTarget.value)} error={byField.lastName} />
          </SimpleGrid>
          <TextInput label="Short intro" value={form.shortIntro} onChange={(e) => set('shortIntro', e.currentTarget.value)} error={byField.shortIntro} />
          <Textarea label="Bio" autosize minRows={3} value={form.bio} onChange={(e) => set('bio', e.currentTarget.value)} error={byField.bio} />
          <TextInput label="Website" type="url" placeholder="https://" value={form.website} onChange={(e) => set('website', e.currentTarget.value)} error={byField.website} />
          <Stack gap={6}>
            <Text size="sm" fw={500} id="links-label">
              Links
            </Text>
            {form.links.map((link, index) => (
              <Group key={index} gap="xs" align="flex-start" wrap="nowrap">
                <TextInput
                  style={{ flex: 1 }}
                  label={`Link ${index + 1}`}
                  placeholder="https://"
                  type="url"
                  value={link}
                  onChange={(e) => {
                    const value = e.currentTarget.value;
                    set('links', form.links.map((l, i) => (i === index ? value : l)));
                  }}
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
                    setErrors((previous) => previous.filter((e) => !/^links\[/.test(e.field ?? '')));
                  }}
                >
                  ×
                </ActionIcon>
              </Group>
            ))}
            {byField.links && (
              <Text size="sm" c="red.8" role="alert">
                {byField.links}
              </Text>
            )}
            <Button variant="default" size="xs" w="fit-content" onClick={() => set('links', [...form.links, ''])}>
              Add a link
            </Button>
          </Stack>
          <Button type="submit" loading={loading} w="fit-content">
            Save profile
          </Button>
        </Stack>
      </form>
    </Card>
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

function describeAgent(userAgent: string): string {
  if (!userAgent) return 'Unknown device';
  const browser = /Edg\//.test(userAgent)
    ? 'Edge'
    : /Chrome\//.test(userAgent)
      ? 'Chrome'
      : /Firefox\//.test(userAgent)
        ? 'Firefox'
        : /Safari\//.test(userAgent)
          ? 'Safari'
          : 'Browser';
  const os = /Android/.test(userAgent)
    ? 'Android'
    : /iPhone|iPad/.test(userAgent)
      ? 'iOS'
      : /Windows/.test(userAgent)
        ? 'Windows'
        : /Mac OS X/.test(userAgent)
          ? 'macOS'
          : /Linux/.test(userAgent)
            ? 'Linux'
            : '';
  return os ? `${browser} on ${os}` : browser;
}

function Sessions() {
  const { signOut, signOutEverywhere } = useAuth();
  const stepUp = useStepUp();
  const navigate = useNavigate();
  const { data, loading, error, refetch } = useQuery(SessionsQuery, { fetchPolicy: 'cache-and-network' });
  const [revoke] = useMutation(RevokeSessionMutation);
  const [ending, setEnding] = useState<string | null>(null);
  const [confirmAll, setConfirmAll] = useState(false);
  const [problem, setProblem] = useState<string[]>([]);

  return (
    <Card withBorder radius="md" p="lg">
      <Stack gap="sm">
        <Title order={2} size="h3">
          Where you are signed in
        </Title>
        <FormAlert messages={problem} title="Could not end the session" />
        <FirstLoad error={error} loading={loading} loaded={!!data} />
        <Stack gap="xs" component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }} data-testid="sessions">
          {data?.sessions.map((session) => (
            <Card key={session.id} component="li" withBorder radius="sm" p="sm">
              <Group justify="space-between" wrap="wrap" gap="xs">
                <Stack gap={2}>
                  <Group gap="xs">
                    <Text fw={600}>{describeAgent(session.userAgent)}</Text>
                    {session.current && (
                      <Badge color="blue.9" variant="filled">
                        This device
                      </Badge>
                    )}
                    <Badge color="gray.8" variant="outline">
                      {AUTH_METHOD_LABELS[session.authMethod] ?? session.authMethod}
                    </Badge>
                  </Group>
                  <Text size="sm" c="dimmed">
                    Signed in {formatDate(session.createdAt)} · last active {formatDate(session.lastUsedAt)}
                    {session.ipAddress ? ` · ${session.ipAddress}` : ''}
                  </Text>
                </Stack>
                {session.current ? (
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
                ) : (
                  <Button
                    variant="default"
                    size="xs"
                    loading={ending === session.id}
                    aria-label={`End the session on ${describeAgent(session.userAgent)} from ${formatDate(session.createdAt)}`}
                    onClick={async () => {
                      setEnding(session.id);
                      setProblem([]);
                      try {
                        const { data: result } = await revoke({ variables: { id: session.id } });
                        setProblem((result?.revokeSession.errors ?? []).map((e) => e.message));
                        await refetch();
                      } catch (failure) {
                        setProblem([failureText(failure)]);
                      }
                      setEnding(null);
                    }}
                  >
                    End session
                  </Button>
                )}
              </Group>
            </Card>
          ))}
        </Stack>
        <Group gap="sm">
          {confirmAll ? (
            <>
              <Text size="sm">Sign out on every device, this one too?</Text>
              <Button
                color="red.8"
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
            <Button color="red.8" variant="outline" onClick={() => setConfirmAll(true)}>
              Sign out everywhere
            </Button>
          )}
        </Group>
      </Stack>
    </Card>
  );
}

function ChangePassword() {
  const [oldPassword, setOldPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [errors, setErrors] = useState<PayloadError[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const stepUp = useStepUp();
  const [change, { loading }] = useMutation(ChangePasswordMutation, { refetchQueries: ['Sessions'] });
  const { byField, general } = splitErrors(errors, ['oldPassword', 'newPassword']);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFailure(null);
    setDone(false);
    try {
      const outcome = await stepUp.run(
        async () => (await change({ variables: { oldPassword, newPassword } })).data?.changePassword,
        (result) => result?.errors,
      );
      const payload = outcome.result;
      if (!payload) return;
      setErrors(payload.errors.map((e) => (e.code === 'STEP_UP_REQUIRED' ? { ...e, message: describeError(e) } : e)));
      if (payload.ok) {
        setDone(true);
        setOldPassword('');
        setNewPassword('');
      }
    } catch (error) {
      setFailure(failureText(error));
    }
  }

  return (
    <Card withBorder radius="md" p="lg">
      <form onSubmit={submit} noValidate aria-labelledby="change-password-title">
        <Stack gap="sm">
          <Title order={2} size="h3" id="change-password-title">
            Change password
          </Title>
          <FormAlert messages={failure ? [failure, ...general] : general} title="Could not change the password" />
          {done && (
            <Alert color="green" role="status">
              Password changed. Every other device was signed out.
            </Alert>
          )}
          <PasswordInput label="Current password" autoComplete="current-password" value={oldPassword} onChange={(e) => setOldPassword(e.currentTarget.value)} error={byField.oldPassword} aria-invalid={Boolean(byField.oldPassword)} />
          <PasswordInput label="New password" description="At least 10 characters, not a common password." autoComplete="new-password" value={newPassword} onChange={(e) => setNewPassword(e.currentTarget.value)} error={byField.newPassword} aria-invalid={Boolean(byField.newPassword)} />
          <Button type="submit" loading={loading} w="fit-content">
            Change password
          </Button>
        </Stack>
      </form>
    </Card>
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
