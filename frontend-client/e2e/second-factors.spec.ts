import { expect, test, type Page } from '@playwright/test';
import { capture, linkIn, py, serverShell, stack, uniqueEmail, waitForMail, waitOutStepUpWindow } from './helpers';
import { TotpClock } from './totp';

// Each journey has its own account, so they run side by side with the others.
test.describe.configure({ mode: 'parallel' });

/** A new account with a verified address, through the register page and the mail. */
async function verifiedAccount(page: Page, label: string, password: string): Promise<string> {
  const { client } = stack();
  const email = uniqueEmail(label);
  await page.goto(`${client}/register`);
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill(email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/check-email\?email=/);
  const mail = await waitForMail(email, /confirm your email/i);
  await page.goto(linkIn(mail, '/verify-email'));
  await expect(page.getByRole('heading', { name: 'Email verified' })).toBeVisible();
  return email;
}

/** The first step of a sign-in: email and password. */
async function enterPassword(page: Page, email: string, password: string): Promise<void> {
  await page.goto(`${stack().client}/login`);
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill(email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

async function signOut(page: Page): Promise<void> {
  await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByTestId('signed-in-as')).toHaveCount(0);
}

async function openSecurity(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Security', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Account security', level: 1 })).toBeVisible();
}

test('authenticator app: enrol, sign in with a code, then with a recovery code', async ({ page }) => {
  test.setTimeout(420_000);
  const password = 'copper-kettle-harbour-9';
  const email = await verifiedAccount(page, 'totp', password);
  let clock: TotpClock;
  let recoveryCodes: string[] = [];
  let signedInAt = 0;

  await test.step('sign in and set up an authenticator app', async () => {
    await enterPassword(page, email, password);
    await expect(page.getByTestId('signed-in-as')).toBeVisible();
    await openSecurity(page);
    const card = page.getByTestId('two-step');
    await expect(card.getByText('Off', { exact: true })).toBeVisible();
    await card.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await expect(card.getByRole('img', { name: 'QR code to scan with your authenticator app' })).toBeVisible();
    const secret = (await card.getByTestId('totp-secret').textContent())?.trim() ?? '';
    expect(secret).toMatch(/^[A-Z2-7]{16,}=*$/);
    clock = new TotpClock(secret);
    await capture(page, 'totp-setup');

    // A wrong code first: said next to the input, nothing turned on.
    const input = card.getByRole('textbox', { name: /Enter the 6-digit code/ });
    await input.fill('12345');
    await card.getByRole('button', { name: 'Turn on two-step verification' }).click();
    await expect(input).toHaveAttribute('aria-invalid', 'true');
    await input.fill(await clock.next());
    await card.getByRole('button', { name: 'Turn on two-step verification' }).click();
    const codes = page.getByTestId('recovery-codes');
    await expect(codes.getByRole('listitem')).toHaveCount(10);
    recoveryCodes = (await codes.getByRole('listitem').allTextContents()).map((text) => text.trim());
    expect(new Set(recoveryCodes).size).toBe(10);
    await capture(page, 'recovery-codes');
    await codes.getByRole('button', { name: 'I have saved them' }).click();
    await expect(card.getByText('On', { exact: true })).toBeVisible();
    await expect(card.getByTestId('recovery-codes-left')).toContainText('10');
  });

  await test.step('the password alone no longer signs in: the code step follows', async () => {
    await signOut(page);
    await enterPassword(page, email, password);
    await expect(page.getByRole('heading', { name: 'Two-step verification' })).toBeVisible();
    await expect(page.getByTestId('signed-in-as')).toHaveCount(0);
    await capture(page, 'second-factor');
    const input = page.getByRole('textbox', { name: 'Authentication code' });
    // The code of a step long past is wrong now: the step stays, with the error at the input.
    await input.fill('000000');
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect(input).toHaveAttribute('aria-invalid', 'true');
    await expect(input).toHaveAccessibleDescription(/not right/);
    await input.fill(await clock.next());
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect(page.getByTestId('signed-in-as')).toBeVisible();
  });

  await test.step('sign in with a recovery code instead', async () => {
    await signOut(page);
    await enterPassword(page, email, password);
    // On a small phone the switch is a full tap target, and its words stay on the screen.
    await page.setViewportSize({ width: 320, height: 640 });
    const switchBox = await page.getByRole('button', { name: 'Use a recovery code instead' }).boundingBox();
    expect(switchBox?.height ?? 0).toBeGreaterThanOrEqual(44);
    expect((switchBox?.x ?? 0) + (switchBox?.width ?? 0)).toBeLessThanOrEqual(320);
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await page.getByRole('textbox', { name: 'Recovery code' }).fill(recoveryCodes[0]);
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect(page.getByTestId('signed-in-as')).toBeVisible();
    await openSecurity(page);
    await expect(page.getByTestId('recovery-codes-left')).toContainText('9');
  });

  await test.step('a used recovery code does not work twice', async () => {
    await signOut(page);
    await enterPassword(page, email, password);
    await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    const input = page.getByRole('textbox', { name: 'Recovery code' });
    await input.fill(recoveryCodes[0]);
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect(input).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByTestId('signed-in-as')).toHaveCount(0);
    await input.fill(recoveryCodes[1]);
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect(page.getByTestId('signed-in-as')).toBeVisible();
    signedInAt = Date.now();
    // Using a recovery code is worth a mail: someone may have found them.
    await waitForMail(email, /recovery code was used/i);
  });

  await test.step('long after signing in, new recovery codes ask for a code first', async () => {
    await openSecurity(page);
    await waitOutStepUpWindow(page, signedInAt);
    await page.getByRole('button', { name: 'Get new recovery codes' }).click();
    const dialog = page.getByRole('dialog', { name: "Confirm it's you" });
    await expect(dialog).toBeVisible();
    // The account has a second factor: the password is not offered.
    await expect(dialog.getByRole('textbox', { name: 'Password', exact: true })).toHaveCount(0);
    await dialog.getByRole('textbox', { name: 'Code from your authenticator app' }).fill(await clock.next());
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await expect(dialog).toBeHidden();
    const codes = page.getByTestId('recovery-codes');
    await expect(codes.getByRole('listitem')).toHaveCount(10);
    const fresh = (await codes.getByRole('listitem').allTextContents()).map((text) => text.trim());
    expect(fresh).not.toContain(recoveryCodes[2]);
    await codes.getByRole('button', { name: 'I have saved them' }).click();
    await expect(page.getByTestId('recovery-codes-left')).toContainText('10');
  });
  await test.step('turn the authenticator app off with the password and a code', async () => {
    const card = page.getByTestId('two-step');
    await card.getByRole('button', { name: 'Turn off two-step verification' }).click();
    await card.getByRole('textbox', { name: 'Password', exact: true }).fill('not-the-password-2');
    await card.getByRole('textbox', { name: /Code from your authenticator app/ }).fill(await clock.next());
    await card.getByRole('button', { name: 'Turn off', exact: true }).click();
    await expect(card.getByRole('textbox', { name: 'Password', exact: true })).toHaveAttribute('aria-invalid', 'true');
    await card.getByRole('textbox', { name: 'Password', exact: true }).fill(password);
    await card.getByRole('textbox', { name: /Code from your authenticator app/ }).fill(await clock.next());
    await card.getByRole('button', { name: 'Turn off', exact: true }).click();
    await expect(card.getByText('Two-step verification with the authenticator app is off.')).toBeVisible();
    await expect(card.getByText('Off', { exact: true })).toBeVisible();
    await signOut(page);
    await enterPassword(page, email, password);
    await expect(page.getByTestId('signed-in-as')).toBeVisible();
  });

  await test.step('the security log lists what happened, a page at a time', async () => {
    // One more sign-out and sign-in: more events than the log's first page of 20.
    await signOut(page);
    await enterPassword(page, email, password);
    await expect(page.getByTestId('signed-in-as')).toBeVisible();
    await openSecurity(page);
    await page.getByRole('link', { name: 'Recent activity on your account' }).click();
    await expect(page.getByRole('heading', { name: 'Security log', level: 1 })).toBeVisible();
    const events = page.getByTestId('security-events');
    await expect(events).toContainText('Authenticator app turned on');
    await expect(events).toContainText('Recovery code used');
    await expect(events).toContainText('Wrong second-factor code or passkey');
    await expect(events).toContainText('Signed in');
    await expect(events).toContainText('New recovery codes created');
    await expect(events).toContainText('Identity confirmed for a sensitive change');
    await expect(events).toContainText('Authenticator app turned off');
    await expect(page.getByTestId('security-event-count')).toHaveText(/^Showing 20 of (2\d|[3-9]\d)$/);
    await expect(events).not.toContainText('Email address verified');
    await page.getByRole('button', { name: 'Load more events' }).click();
    // The oldest event, on the second page, joins the first.
    await expect(events).toContainText('Email address verified');
    const total = (await page.getByTestId('security-event-count').textContent())?.match(/of (\d+)/)?.[1];
    await expect(page.getByTestId('security-event-count')).toHaveText(`Showing ${total} of ${total}`);
    await expect(page.getByRole('button', { name: 'Load more events' })).toHaveCount(0);
    await capture(page, 'security-log');
  });

});

/** Chromium's virtual authenticator: a platform passkey that verifies the user by itself. */
async function virtualAuthenticator(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
    },
  });
  return { cdp, authenticatorId };
}

async function addPasskey(page: Page, name: string): Promise<void> {
  await page.getByRole('textbox', { name: 'Name (optional)' }).fill(name);
  await page.getByRole('button', { name: 'Add a passkey' }).click();
  await expect(page.getByText(`Passkey “${name}” added`)).toBeVisible();
}

test('passkeys: register one, sign in with it alone, remove it', async ({ page }) => {
  test.setTimeout(240_000);
  const { cdp, authenticatorId } = await virtualAuthenticator(page);
  const password = 'walnut-lantern-ferry-4';
  const email = await verifiedAccount(page, 'passkey', password);

  await test.step('sign in with the password and add a passkey', async () => {
    await enterPassword(page, email, password);
    await expect(page.getByTestId('signed-in-as')).toBeVisible();
    await openSecurity(page);
    await addPasskey(page, 'E2E laptop');
    await expect(page.getByTestId('passkeys').getByRole('listitem')).toHaveCount(1);
    await expect(page.getByTestId('passkeys')).toContainText('E2E laptop');
    await expect(page.getByTestId('passkeys')).toContainText('never used');
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toHaveLength(1);
    expect(credentials[0].isResidentCredential).toBe(true);
    await capture(page, 'passkeys');
  });

  await test.step('the same authenticator cannot register a second passkey', async () => {
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await expect(page.getByRole('alert')).toContainText(/already registered/i);
    await expect(page.getByTestId('passkeys').getByRole('listitem')).toHaveCount(1);
  });

  await test.step('sign in with the passkey alone', async () => {
    await signOut(page);
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expect(page.getByTestId('signed-in-as')).toBeVisible();
    await openSecurity(page);
    const current = page.getByTestId('sessions').getByRole('listitem').filter({ hasText: 'This device' });
    await expect(current).toContainText('Passkey');
    await expect(page.getByTestId('passkeys')).not.toContainText('never used');
  });

  await test.step('remove the passkey: it no longer signs in', async () => {
    await page.getByRole('button', { name: 'Remove the passkey E2E laptop' }).click();
    await expect(page.getByText('Passkey “E2E laptop” removed.')).toBeVisible();
    await expect(page.getByTestId('passkeys').getByRole('listitem')).toHaveCount(0);
    await signOut(page);
    // The authenticator still holds it, but the server no longer knows it.
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expect(page.getByRole('alert')).toContainText(/passkey/i);
    await expect(page.getByTestId('signed-in-as')).toHaveCount(0);
    await enterPassword(page, email, password);
    await expect(page.getByTestId('signed-in-as')).toBeVisible();
  });

  await test.step('the security log shows the passkey', async () => {
    await page.goto(`${stack().client}/account/security-log`);
    const events = page.getByTestId('security-events');
    await expect(events).toContainText('Passkey added');
    await expect(events).toContainText('Passkey removed');
    await expect(events).toContainText('with a passkey');
  });
});

test('a passkey is a second factor: after the password, and to confirm a change', async ({ page }) => {
  test.setTimeout(240_000);
  await virtualAuthenticator(page);
  const password = 'saffron-bridge-meadow-7';
  const email = await verifiedAccount(page, 'passkey2fa', password);
  let signedInAt = 0;

  await test.step('add a passkey', async () => {
    await enterPassword(page, email, password);
    await expect(page.getByTestId('signed-in-as')).toBeVisible();
    await openSecurity(page);
    await addPasskey(page, 'Phone');
  });

  await test.step('the password alone no longer signs in: the passkey follows', async () => {
    await signOut(page);
    await enterPassword(page, email, password);
    await expect(page.getByRole('heading', { name: 'Two-step verification' })).toBeVisible();
    await expect(page.getByTestId('signed-in-as')).toHaveCount(0);
    await capture(page, 'second-factor-passkey');
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    await expect(page.getByTestId('signed-in-as')).toBeVisible();
    signedInAt = Date.now();
  });

  await test.step('long after signing in, removing the passkey asks to confirm with it', async () => {
    await openSecurity(page);
    await waitOutStepUpWindow(page, signedInAt);
    await page.getByRole('button', { name: 'Remove the passkey Phone' }).click();
    const dialog = page.getByRole('dialog', { name: "Confirm it's you" });
    await expect(dialog).toBeVisible();
    await dialog.getByRole('button', { name: 'Confirm with a passkey' }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByText('Passkey “Phone” removed.')).toBeVisible();
  });

  await test.step('without a second factor, the password signs in alone again', async () => {
    await signOut(page);
    await enterPassword(page, email, password);
    await expect(page.getByTestId('signed-in-as')).toBeVisible();
  });
});

/** Moves the sign-in of every session of `email` two minutes back, as if it were older. */
function ageSignIn(email: string): number {
  return Number(
    serverShell(
      'from datetime import timedelta\n' +
        'from django.utils import timezone\n' +
        'from tokens.models import Session\n' +
        `print(Session.objects.filter(user__email=${py(email)}).update(authenticated_at=timezone.now() - timedelta(minutes=2)))`,
    ),
  );
}

test('authenticator app confirmed a while after sign-in: confirm it is you, then it is on', async ({ page }) => {
  test.setTimeout(240_000);
  const password = 'slate-orchard-lantern-4';
  const email = await verifiedAccount(page, 'totp-late', password);
  await enterPassword(page, email, password);
  await expect(page.getByTestId('signed-in-as')).toBeVisible();
  await openSecurity(page);
  const card = page.getByTestId('two-step');
  await card.getByRole('button', { name: 'Set up an authenticator app' }).click();
  const secret = (await card.getByTestId('totp-secret').textContent())?.trim() ?? '';
  const clock = new TotpClock(secret);

  // Scanning the QR code took a while: the sign-in is now more than a minute old.
  expect(ageSignIn(email)).toBeGreaterThanOrEqual(1);
  const input = card.getByRole('textbox', { name: /Enter the 6-digit code/ });
  await input.fill(await clock.next());
  await card.getByRole('button', { name: 'Turn on two-step verification' }).click();

  const dialog = page.getByRole('dialog', { name: "Confirm it's you" });
  await expect(dialog).toBeVisible();
  await capture(page, 'totp-confirm-proof');
  // A wrong password is said in the dialog, which stays; the code typed on the page stays too.
  await dialog.getByRole('textbox', { name: 'Password', exact: true }).fill('not-the-password-7');
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await expect(dialog.getByRole('alert')).toContainText(/password is not right/i);
  await dialog.getByRole('textbox', { name: 'Password', exact: true }).fill(password);
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await expect(dialog).toBeHidden();

  const codes = page.getByTestId('recovery-codes');
  await expect(codes.getByRole('listitem')).toHaveCount(10);
  await codes.getByRole('button', { name: 'I have saved them' }).click();
  await expect(card.getByText('On', { exact: true })).toBeVisible();
});

test('"this wasn\'t me" link: every session ends, this tab signs out', async ({ page }) => {
  test.setTimeout(180_000);
  const { client } = stack();
  const password = 'tidal-quarry-mitten-8';
  const email = await verifiedAccount(page, 'not-me', password);
  await enterPassword(page, email, password);
  await expect(page.getByTestId('signed-in-as')).toBeVisible();

  // The link as a security notice carries it, signed by the server.
  const token = serverShell(
    'from accounts.email_tokens import not_me_token_make\n' +
      'from accounts.models import User\n' +
      'from accounts.security_notices import SecurityChange\n' +
      `user = User.objects.get(email=${py(email)})\n` +
      'print(not_me_token_make(user=user, change=SecurityChange.AUTHENTICATOR_ADDED.value, object_id="none"))',
  );
  expect(token).not.toBe('');

  await page.goto(`${client}/secure-account?token=${encodeURIComponent(token)}`);
  await expect(page.getByTestId('secure-account-done')).toContainText(
    'Every session was signed out and the factor was removed; sign in again and change your password.',
  );
  await expect(page.getByTestId('signed-in-as')).toHaveCount(0);
  await capture(page, 'secure-account');
  // Signed out on the server too: a reload does not bring the session back.
  await page.goto(`${client}/profile`);
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByTestId('signed-in-as')).toHaveCount(0);

  // A cut link is refused with the server's reason, and nothing else happens.
  await page.goto(`${client}/secure-account?token=${encodeURIComponent(token.slice(0, -4))}`);
  await expect(page.getByRole('alert')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'This link cannot be used' })).toBeVisible();
});
