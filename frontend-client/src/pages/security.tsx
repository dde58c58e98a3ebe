import { useMutation, useQuery } from '@apollo/client/react';
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Code,
  CopyButton,
  Group,
  PasswordInput,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import {
  codeProblem,
  describeError,
  normaliseCode,
  normaliseRecoveryCode,
  recoveryCodesText,
  type CodedError,
} from '../auth/secondFactor';
import { createPasskey, passkeysSupported } from '../auth/webauthn';
import { FirstLoad, failureText } from '../components/forms';
import { useStepUp } from '../components/StepUp';
import {
  ConfirmTotpEnrollmentMutation,
  DisableTotpMutation,
  FinishPasskeyRegistrationMutation,
  PasskeysQuery,
  RegenerateRecoveryCodesMutation,
  RemovePasskeyMutation,
  SecondFactorsQuery,
  SecurityEventsQuery,
  StartPasskeyRegistrationMutation,
  StartTotpEnrollmentMutation,
} from '../graphql/operations';
import { formatDate } from './articles';
import { eventDetails, eventLabel, isWarning } from './securityEvents';

function errorsText(errors: readonly CodedError[]): string[] {
  return errors.map((error) => describeError(error));
}

function Problems(props: { messages: readonly string[] }) {
  if (props.messages.length === 0) return null;
  return (
    <Alert color="red" variant="light" role="alert">
      {props.messages.join(' ')}
    </Alert>
  );
}

/**
 * The otpauth:// URI as a QR code an authenticator app scans; drawn here, never sent anywhere.
 * The encoder is loaded on first use: only the few who set up an app need it.
 */
function TotpQrCode(props: { uri: string }) {
  const [svg, setSvg] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    import('qrcode')
      .then(({ default: QRCode }) => QRCode.toString(props.uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }))
      .then((text) => current && setSvg(text))
      .catch(() => current && setSvg(null));
    return () => {
      current = false;
    };
  }, [props.uri]);
  if (!svg) return null;
  return (
    <img
      src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`}
      alt="QR code to scan with your authenticator app"
      width={196}
      height={196}
      style={{ background: '#fff', border: '1px solid #dee2e6', borderRadius: 8 }}
    />
  );
}

/** Ten recovery codes, shown once: copy them now, they are not shown again. */
function RecoveryCodes(props: { codes: readonly string[]; onDone: () => void }) {
  return (
    <Stack gap="sm" data-testid="recovery-codes">
      <Alert color="blue" variant="light" title="Save your recovery codes" role="status">
        Each code signs you in once if you lose your phone. Keep them somewhere safe: they are shown only now.
      </Alert>
      <SimpleGrid cols={2} spacing="xs" component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
        {props.codes.map((code) => (
          <li key={code}>
            <Code fz="md">{code}</Code>
          </li>
        ))}
      </SimpleGrid>
      <Group gap="sm">
        <CopyButton value={recoveryCodesText(props.codes)}>
          {({ copied, copy }) => (
            <Button variant="default" onClick={copy}>
              {copied ? 'Copied' : 'Copy the codes'}
            </Button>
          )}
        </CopyButton>
        <Button onClick={props.onDone}>I have saved them</Button>
      </Group>
    </Stack>
  );
}

function TotpSetup(props: { secret: string; otpauthUri: string; onEnabled: (codes: string[] | null) => void; onCancel: () => void }) {
  const [code, setCode] = useState('');
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [problems, setProblems] = useState<string[]>([]);
  const [confirm, { loading }] = useMutation(ConfirmTotpEnrollmentMutation, { refetchQueries: ['SecondFactors'] });

  async function submit(event: FormEvent) {
    event.preventDefault();
    setProblems([]);
    const local = codeProblem(code);
    setFieldError(local);
    if (local) return;
    try {
      const { data } = await confirm({ variables: { code: normaliseCode(code) } });
      const payload = data?.confirmTotpEnrollment;
      if (!payload) return;
      if (payload.errors.length === 0) {
        props.onEnabled(payload.recoveryCodes ?? null);
        return;
      }
      const onInput = payload.errors.filter((e) => e.field === 'code');
      setFieldError(onInput.length ? errorsText(onInput).join(' ') : null);
      setProblems(errorsText(payload.errors.filter((e) => e.field !== 'code')));
    } catch (error) {
      setProblems([failureText(error)]);
    }
  }

  return (
    <Stack gap="sm">
      <Text>
        1. Scan this QR code with your authenticator app (Google Authenticator, 1Password, Aegis…), or type the
        key into it.
      </Text>
      <Group align="flex-start" gap="lg" wrap="wrap">
        <TotpQrCode uri={props.otpauthUri} />
        <Stack gap={4} style={{ minWidth: 0, flex: '1 1 220px' }}>
          <Text size="sm" fw={600}>
            Setup key
          </Text>
          <Code
            block
            data-testid="totp-secret"
            style={{ wordBreak: 'break-all', whiteSpace: 'pre-wrap' }}
          >
            {props.secret}
          </Code>
          <CopyButton value={props.secret}>
            {({ copied, copy }) => (
              <Button variant="default" size="xs" w="fit-content" onClick={copy}>
                {copied ? 'Copied' : 'Copy the key'}
              </Button>
            )}
          </CopyButton>
        </Stack>
      </Group>
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <Problems messages={problems} />
          <TextInput
            label="2. Enter the 6-digit code the app shows"
            autoComplete="one-time-code"
            inputMode="numeric"
            value={code}
            onChange={(e) => setCode(e.currentTarget.value)}
            error={fieldError}
            aria-invalid={Boolean(fieldError)}
            maw={260}
          />
          <Group gap="sm">
            <Button type="submit" loading={loading}>
              Turn on two-step verification
            </Button>
            <Button variant="default" onClick={props.onCancel}>
              Cancel
            </Button>
          </Group>
        </Stack>
      </form>
    </Stack>
  );
}

function DisableTotp(props: { onDone: () => void; onCancel: () => void }) {
  const stepUp = useStepUp();
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [problems, setProblems] = useState<string[]>([]);
  const [byField, setByField] = useState<Record<string, string>>({});
  const [disable, { loading }] = useMutation(DisableTotpMutation, { refetchQueries: ['SecondFactors'] });

  async function submit(event: FormEvent) {
    event.preventDefault();
    setProblems([]);
    setByField({});
    const typed = normaliseCode(code);
    if (!typed) {
      setByField({ code: 'Enter a code from your authenticator app or a recovery code.' });
      return;
    }
    // Six digits is an app code; anything else is taken as a recovery code.
    const second = /^\d{6}$/.test(typed) ? { code: typed } : { recoveryCode: normaliseRecoveryCode(code) };
    try {
      const outcome = await stepUp.run(
        async () => (await disable({ variables: { password: password || null, ...second } })).data?.disableTotp,
        (payload) => payload?.errors,
      );
      const payload = outcome.result;
      if (!payload) return;
      if (payload.ok) {
        props.onDone();
        return;
      }
      const fields: Record<string, string> = {};
      const rest: string[] = [];
      for (const error of payload.errors) {
        const key = error.field === 'recoveryCode' ? 'code' : error.field;
        if (key === 'code' || key === 'password') fields[key] = describeError(error);
        else if (error.code === 'INVALID_CREDENTIALS') fields.password = describeError(error);
        else rest.push(describeError(error));
      }
      setByField(fields);
      setProblems(rest);
    } catch (error) {
      setProblems([failureText(error)]);
    }
  }

  return (
    <form onSubmit={submit} noValidate aria-labelledby="disable-totp-title">
      <Stack gap="sm">
        <Text fw={600} id="disable-totp-title">
          Turn off two-step verification
        </Text>
        <Problems messages={problems} />
        <PasswordInput
          label="Password"
          description="Leave empty if your account has no password (you signed up with Google)."
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.currentTarget.value)}
          error={byField.password}
          aria-invalid={Boolean(byField.password)}
          maw={360}
        />
        <TextInput
          label="Code from your authenticator app, or a recovery code"
          autoComplete="one-time-code"
          value={code}
          onChange={(e) => setCode(e.currentTarget.value)}
          error={byField.code}
          aria-invalid={Boolean(byField.code)}
          maw={360}
        />
        <Group gap="sm">
          <Button type="submit" color="red.8" loading={loading}>
            Turn off
          </Button>
          <Button variant="default" onClick={props.onCancel}>
            Cancel
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** The authenticator app (TOTP) and the recovery codes. */
export function TwoStepCard() {
  const stepUp = useStepUp();
  const { data, loading, error } = useQuery(SecondFactorsQuery, { fetchPolicy: 'cache-and-network' });
  const [startEnrollment, starting] = useMutation(StartTotpEnrollmentMutation);
  const [regenerate, regenerating] = useMutation(RegenerateRecoveryCodesMutation, { refetchQueries: ['SecondFactors'] });
  const [setup, setSetup] = useState<{ secret: string; otpauthUri: string } | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [disabling, setDisabling] = useState(false);
  const [problems, setProblems] = useState<string[]>([]);
  const [notice, setNotice] = useState<string | null>(null);
  const factors = data?.secondFactors;

  async function start() {
    setProblems([]);
    setNotice(null);
    try {
      const outcome = await stepUp.run(
        async () => (await startEnrollment()).data?.startTotpEnrollment,
        (payload) => payload?.errors,
      );
      const payload = outcome.result;
      if (payload?.secret && payload.otpauthUri) setSetup({ secret: payload.secret, otpauthUri: payload.otpauthUri });
      else setProblems(errorsText(payload?.errors ?? []));
    } catch (failure) {
      setProblems([failureText(failure)]);
    }
  }

  async function newCodes() {
    setProblems([]);
    setNotice(null);
    try {
      const outcome = await stepUp.run(
        async () => (await regenerate()).data?.regenerateRecoveryCodes,
        (payload) => payload?.errors,
      );
      const payload = outcome.result;
      if (payload?.recoveryCodes) setCodes(payload.recoveryCodes);
      else setProblems(errorsText(payload?.errors ?? []));
    } catch (failure) {
      setProblems([failureText(failure)]);
    }
  }

  return (
    <Card withBorder radius="md" p="lg" data-testid="two-step">
      <Stack gap="sm">
        <Group gap="sm">
          <Title order={2} size="h3">
            Two-step verification
          </Title>
          {factors && (
            // A dark green: white text on Mantine's green.9 is below 4.5:1.
            <Badge color={factors.totpEnabled ? '#1b5e20' : 'gray.8'} variant={factors.totpEnabled ? 'filled' : 'outline'}>
              {factors.totpEnabled ? 'On' : 'Off'}
            </Badge>
          )}
        </Group>
        <FirstLoad error={error} loading={loading} loaded={!!data} />
        <Problems messages={problems} />
        {notice && (
          <Alert color="green" role="status">
            {notice}
          </Alert>
        )}
        {codes ? (
          <RecoveryCodes
            codes={codes}
            onDone={() => {
              setCodes(null);
              setNotice('Two-step verification is on. Keep your recovery codes safe.');
            }}
          />
        ) : setup ? (
          <TotpSetup
            secret={setup.secret}
            otpauthUri={setup.otpauthUri}
            onCancel={() => setSetup(null)}
            onEnabled={(recovery) => {
              setSetup(null);
              if (recovery && recovery.length > 0) setCodes(recovery);
              else setNotice('Two-step verification is on. Your recovery codes from before still work.');
            }}
          />
        ) : factors?.totpEnabled ? (
          <>
            <Text>
              When you sign in with your password, you also enter a code from your authenticator app.
            </Text>
            <Text size="sm" data-testid="recovery-codes-left">
              Recovery codes left: <strong>{factors.recoveryCodesRemaining}</strong>
              {factors.recoveryCodesRemaining <= 2 ? ' — get new ones soon.' : ''}
            </Text>
            {disabling ? (
              <DisableTotp
                onCancel={() => setDisabling(false)}
                onDone={() => {
                  setDisabling(false);
                  setNotice('Two-step verification with the authenticator app is off.');
                }}
              />
            ) : (
              <Group gap="sm">
                <Button variant="default" onClick={newCodes} loading={regenerating.loading}>
                  Get new recovery codes
                </Button>
                <Button variant="outline" color="red.8" onClick={() => setDisabling(true)}>
                  Turn off two-step verification
                </Button>
              </Group>
            )}
          </>
        ) : (
          factors && (
            <>
              <Text>
                Protect your account with a code from an authenticator app on your phone, asked for after your
                password.
              </Text>
              <Group gap="sm">
                <Button onClick={start} loading={starting.loading}>
                  Set up an authenticator app
                </Button>
                {factors.passkeyCount > 0 && (
                  <Button variant="default" onClick={newCodes} loading={regenerating.loading}>
                    Get new recovery codes
                  </Button>
                )}
              </Group>
              {factors.passkeyCount > 0 && (
                <Text size="sm" data-testid="recovery-codes-left">
                  Your passkeys already count as a second step after your password. Recovery codes left:{' '}
                  <strong>{factors.recoveryCodesRemaining}</strong>.
                </Text>
              )}
            </>
          )
        )}
      </Stack>
    </Card>
  );
}

/** The viewer's passkeys: list, add (WebAuthn registration), remove. */
export function PasskeysCard() {
  const stepUp = useStepUp();
  const { data, loading, error } = useQuery(PasskeysQuery, { fetchPolicy: 'cache-and-network' });
  const refetchQueries = ['Passkeys', 'SecondFactors'];
  const [startRegistration] = useMutation(StartPasskeyRegistrationMutation);
  const [finishRegistration] = useMutation(FinishPasskeyRegistrationMutation, { refetchQueries });
  const [remove] = useMutation(RemovePasskeyMutation, { refetchQueries });
  const [name, setName] = useState('');
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<string | null>(null);
  const [problems, setProblems] = useState<string[]>([]);
  const [notice, setNotice] = useState<string | null>(null);
  const supported = passkeysSupported();

  async function add(event: FormEvent) {
    event.preventDefault();
    setProblems([]);
    setNotice(null);
    setAdding(true);
    try {
      const outcome = await stepUp.run(
        async () => (await startRegistration()).data?.startPasskeyRegistration,
        (payload) => payload?.errors,
      );
      const started = outcome.result;
      if (!started?.options) {
        setProblems(errorsText(started?.errors ?? []));
        return;
      }
      const credential = await createPasskey(started.options);
      const { data: finished } = await finishRegistration({
        variables: { credential, name: name.trim() || null },
      });
      const payload = finished?.finishPasskeyRegistration;
      if (payload?.passkey) {
        setName('');
        setNotice(`Passkey “${payload.passkey.name}” added. You can now sign in with it.`);
      } else {
        setProblems(errorsText(payload?.errors ?? []));
      }
    } catch (failure) {
      setProblems([failureText(failure)]);
    } finally {
      setAdding(false);
    }
  }

  async function removeOne(id: string, label: string) {
    setProblems([]);
    setNotice(null);
    setRemoving(id);
    try {
      const outcome = await stepUp.run(
        async () => (await remove({ variables: { id } })).data?.removePasskey,
        (payload) => payload?.errors,
      );
      if (outcome.result?.ok) setNotice(`Passkey “${label}” removed.`);
      else setProblems(errorsText(outcome.result?.errors ?? []));
    } catch (failure) {
      setProblems([failureText(failure)]);
    } finally {
      setRemoving(null);
    }
  }

  return (
    <Card withBorder radius="md" p="lg">
      <Stack gap="sm">
        <Title order={2} size="h3">
          Passkeys
        </Title>
        <Text>
          A passkey signs you in with your fingerprint, face or screen lock, with no password. It works only on this
          site, so it cannot be phished.
        </Text>
        <FirstLoad error={error} loading={loading} loaded={!!data} />
        <Problems messages={problems} />
        {notice && (
          <Alert color="green" role="status">
            {notice}
          </Alert>
        )}
        {data && data.passkeys.length === 0 && <Text c="dimmed">No passkeys yet.</Text>}
        <Stack gap="xs" component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }} data-testid="passkeys">
          {data?.passkeys.map((passkey) => (
            <Card key={passkey.id} component="li" withBorder radius="sm" p="sm">
              <Group justify="space-between" wrap="wrap" gap="xs">
                <Stack gap={2}>
                  <Group gap="xs">
                    <Text fw={600}>{passkey.name}</Text>
                    {passkey.backedUp && (
                      <Badge color="blue.9" variant="outline">
                        Synced
                      </Badge>
                    )}
                  </Group>
                  <Text size="sm" c="dimmed">
                    Added {formatDate(passkey.createdAt)} ·{' '}
                    {passkey.lastUsedAt ? `last used ${formatDate(passkey.lastUsedAt)}` : 'never used'}
                  </Text>
                </Stack>
                <Button
                  variant="default"
                  size="xs"
                  loading={removing === passkey.id}
                  aria-label={`Remove the passkey ${passkey.name}`}
                  onClick={() => removeOne(passkey.id, passkey.name)}
                >
                  Remove
                </Button>
              </Group>
            </Card>
          ))}
        </Stack>
        {supported ? (
          <form onSubmit={add} noValidate>
            <Group align="flex-end" gap="sm" wrap="wrap">
              <TextInput
                label="Name (optional)"
                description="To tell your passkeys apart, e.g. “Work laptop”."
                value={name}
                maxLength={60}
                onChange={(e) => setName(e.currentTarget.value)}
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
      </Stack>
    </Card>
  );
}

export function SecurityLogLink() {
  return (
    <Text>
      <Anchor component={Link} to="/account/security-log" underline="always">
        Recent activity on your account
      </Anchor>{' '}
      — sign-ins, new devices and changes to your sign-in methods.
    </Text>
  );
}

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
        <Stack gap="xs" component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }} data-testid="security-events">
          {connection.edges.map(({ node }) => (
            <Card key={node.id} component="li" withBorder radius="sm" p="sm">
              <Group justify="space-between" wrap="wrap" gap="xs" align="flex-start">
                <Stack gap={2} style={{ minWidth: 0 }}>
                  <Group gap="xs">
                    <Text fw={600}>{eventLabel(node.kind)}</Text>
                    {isWarning(node.kind) && (
                      <Badge color="red.9" variant="outline">
                        Check
                      </Badge>
                    )}
                  </Group>
                  <Text size="sm" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
                    {eventDetails(node)}
                  </Text>
                </Stack>
                <Text size="sm" component="time" dateTime={node.occurredAt}>
                  {formatDateTime(node.occurredAt)}
                </Text>
              </Group>
            </Card>
          ))}
        </Stack>
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
