import { useMutation, useQuery } from '@apollo/client/react';
import { Alert, Badge, Button, Code, CopyButton, Group, SimpleGrid, Stack, Text } from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import {
  codeProblem,
  describeError,
  normaliseCode,
  normaliseRecoveryCode,
  recoveryCodesText,
} from '../../auth/secondFactor';
import { proofErrors } from '../../auth/stepUp';
import { AppCodeField, PasswordField, TextField } from '../../components/fields';
import { FirstLoad, failureText } from '../../components/forms';
import { useStepUp } from '../../components/StepUp';
import {
  ConfirmTotpEnrollmentMutation,
  DisableTotpMutation,
  RegenerateRecoveryCodesMutation,
  SecondFactorsQuery,
  StartTotpEnrollmentMutation,
} from '../../graphql/operations';
import { Problems, SectionCard, SubmitOrCancel, errorsText, useSecurityCard } from './shared';

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

/** What confirmTotpEnrollment answers about the enrolment itself, not about its proof. */
const ENROLMENT_OWN = { fields: ['code'], codes: ['TOTP_NOT_STARTED'] } as const;

function TotpSetup(props: { secret: string; otpauthUri: string; onEnabled: (codes: string[] | null) => void; onCancel: () => void }) {
  const stepUp = useStepUp();
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
    const typed = normaliseCode(code);
    try {
      // Scanning the QR code often takes longer than the minute after sign-in the server
      // allows: it then answers REAUTHENTICATION_REQUIRED, and the same code is sent again
      // with the password / recovery code / passkey the user confirms with.
      const outcome = await stepUp.withProof(
        async (proof) => (await confirm({ variables: { code: typed, proof } })).data?.confirmTotpEnrollment,
        (payload) => payload?.errors,
        (payload) => {
          const refused = proofErrors(payload?.errors, ENROLMENT_OWN);
          return refused.length ? errorsText(refused).join(' ') : null;
        },
      );
      const payload = outcome.result;
      if (!payload) return;
      if (outcome.kind === 'cancelled') {
        setProblems(['Two-step verification is not on yet: confirm it is you to finish, or cancel.']);
        return;
      }
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
          <AppCodeField
            label="2. Enter the 6-digit code the app shows"
            value={code}
            onChange={setCode}
            error={fieldError}
            maw={260}
          />
          <SubmitOrCancel label="Turn on two-step verification" loading={loading} onCancel={props.onCancel} />
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
        <PasswordField
          kind="current"
          description="Leave empty if your account has no password (you signed up with Google)."
          value={password}
          onChange={setPassword}
          error={byField.password}
          maw={360}
        />
        <TextField
          label="Code from your authenticator app, or a recovery code"
          autoComplete="one-time-code"
          value={code}
          onChange={setCode}
          error={byField.code}
          maw={360}
        />
        <SubmitOrCancel label="Turn off" danger loading={loading} onCancel={props.onCancel} />
      </Stack>
    </form>
  );
}

/** The authenticator app (TOTP) and the recovery codes. */
export function TwoStepCard() {
  const card = useSecurityCard();
  const { data, loading, error } = useQuery(SecondFactorsQuery, { fetchPolicy: 'cache-and-network' });
  const [startEnrollment, starting] = useMutation(StartTotpEnrollmentMutation);
  const [regenerate, regenerating] = useMutation(RegenerateRecoveryCodesMutation, { refetchQueries: ['SecondFactors'] });
  const [setup, setSetup] = useState<{ secret: string; otpauthUri: string } | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [disabling, setDisabling] = useState(false);
  const factors = data?.secondFactors;

  const start = () =>
    card.run(
      async () => (await startEnrollment()).data?.startTotpEnrollment,
      (payload) => {
        if (payload?.secret && payload.otpauthUri) setSetup({ secret: payload.secret, otpauthUri: payload.otpauthUri });
        else card.fail(payload?.errors);
      },
    );

  const newCodes = () =>
    card.run(
      async () => (await regenerate()).data?.regenerateRecoveryCodes,
      (payload) => {
        if (payload?.recoveryCodes) setCodes(payload.recoveryCodes);
        else card.fail(payload?.errors);
      },
    );

  return (
    <SectionCard
      title="Two-step verification"
      testId="two-step"
      badge={
        factors && (
          // A dark green: white text on Mantine's green.9 is below 4.5:1.
          <Badge color={factors.totpEnabled ? '#1b5e20' : 'gray.8'} variant={factors.totpEnabled ? 'filled' : 'outline'}>
            {factors.totpEnabled ? 'On' : 'Off'}
          </Badge>
        )
      }
    >
      <FirstLoad error={error} loading={loading} loaded={!!data} />
      {card.messages}
      {codes ? (
        <RecoveryCodes
          codes={codes}
          onDone={() => {
            setCodes(null);
            card.setNotice('Two-step verification is on. Keep your recovery codes safe.');
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
            else card.setNotice('Two-step verification is on. Your recovery codes from before still work.');
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
                card.setNotice('Two-step verification with the authenticator app is off.');
              }}
            />
          ) : (
            <Group gap="sm">
              <Button variant="default" onClick={newCodes} loading={regenerating.loading}>
                Get new recovery codes
              </Button>
              <Button variant="outline" color="red.9" onClick={() => setDisabling(true)}>
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
    </SectionCard>
  );
}
