import { expect, test, type Page } from '@playwright/test';
import { capture, codeIn, linkIn, signIn, stack, uniqueEmail, waitForMail } from './helpers';

// Each test has its own account, so they run side by side with the other journeys.
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

/** What a tab does when the user comes back to it: the page becomes visible and gets focus. */
async function comeBackTo(page: Page): Promise<void> {
  await page.bringToFront();
  await page.evaluate(() => {
    document.dispatchEvent(new Event('visibilitychange'));
    window.dispatchEvent(new Event('focus'));
  });
}

test('signed out everywhere: the other browser checks when it is looked at again, forgets the account and says why', async ({
  page,
  browser,
}) => {
  const { client } = stack();
  const password = 'willow-lantern-58';
  const email = await verifiedAccount(page, 'everywhere', password);
  await signIn(page, email, password);

  const other = await browser.newContext();
  const second = await other.newPage();
  await signIn(second, email, password);
  await second.goto(`${client}/profile`);
  await expect(second.getByTestId('profile-view')).toBeVisible();

  // The first browser ends every session (just signed in: no confirmation needed).
  await page.getByRole('link', { name: 'Security' }).click();
  await page.getByRole('button', { name: 'Sign out everywhere' }).click();
  await page.getByRole('button', { name: 'Yes, sign out everywhere' }).click();
  await expect(page).toHaveURL(/\/login/);

  // The second browser finds out as soon as its tab is looked at again, with no click.
  await comeBackTo(second);
  await expect(second).toHaveURL(/\/login/);
  await expect(second.getByRole('status').filter({ hasText: 'ended on another device or everywhere' })).toBeVisible();
  await expect(second.getByTestId('signed-in-as')).toHaveCount(0);
  await expect(second.getByText(/cannot be reached/)).toHaveCount(0);
  // Nothing of the account is left in the cache.
  const cached = await second.evaluate(() => document.body.innerText);
  expect(cached).not.toContain(email);
  await other.close();
});

test('the security page names each device as the security log does, and "End session" says so', async ({ page, browser }) => {
  const { client } = stack();
  const password = 'harbour-pebble-31';
  const email = await verifiedAccount(page, 'devices', password);
  await signIn(page, email, password);
  const other = await browser.newContext();
  const second = await other.newPage();
  await signIn(second, email, password);
  await other.close();

  await page.goto(`${client}/account/security-log`);
  const logDevice = (await page.getByTestId('security-events').getByRole('listitem').first().innerText()).split('\n');
  await page.goto(`${client}/account/security`);
  const session = page.getByTestId('sessions').getByRole('listitem').filter({ hasText: 'This device' });
  const name = (await session.innerText()).split('\n')[0].trim();
  expect(logDevice.join(' ')).toContain(name);
  // The accessible name begins with the words the button shows (WCAG 2.5.3, label in name).
  const end = page.getByTestId('sessions').getByRole('button', { name: /^End session/ });
  await expect(end).toHaveCount(1);
  await expect(end).toHaveAccessibleName(new RegExp(`^End session on ${name}`));
});

test('after a reset by code, the sign-in page has the address filled in and the first field focused', async ({ page }) => {
  const { client } = stack();
  const password = 'meadow-copper-74';
  const email = await verifiedAccount(page, 'prefill', password);

  await page.goto(`${client}/login?next=%2Fplans`);
  await expect(page.getByRole('textbox', { name: 'Email', exact: true })).toBeFocused();
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await expect(page.getByRole('textbox', { name: 'Email', exact: true })).toBeFocused();
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill(email);
  await page.getByRole('radio', { name: 'Email me a 6-digit code' }).check();
  await page.getByRole('button', { name: 'Send code' }).click();
  const code = codeIn(await waitForMail(email, /password reset code/i));
  await expect(page.getByRole('textbox', { name: '6-digit code' })).toBeFocused();
  await page.getByRole('textbox', { name: '6-digit code' }).fill(code);
  await page.getByRole('textbox', { name: 'New password', exact: true }).fill('new-meadow-copper-75');
  await page.getByRole('textbox', { name: 'Repeat the new password' }).fill('new-meadow-copper-75');
  await page.getByRole('button', { name: 'Set new password' }).click();
  await expect(page.getByRole('heading', { name: 'Password changed' })).toBeVisible();

  await page.getByRole('link', { name: 'Sign in' }).last().click();
  await expect(page.getByRole('textbox', { name: 'Email', exact: true })).toHaveValue(email);
  await expect(page.getByRole('textbox', { name: 'Password', exact: true })).toBeFocused();
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill('new-meadow-copper-75');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  // Back where the user was before "Forgot your password?".
  await expect(page).toHaveURL(/\/plans$/);
});

test('after verifying by link, signing in starts with the address and returns to the page the user came from', async ({ page }) => {
  const { client } = stack();
  const password = 'orchard-violet-63';
  const email = uniqueEmail('return');
  await page.goto(`${client}/login?next=%2Fplans`);
  await page.getByRole('link', { name: 'Create an account' }).click();
  await expect(page.getByRole('textbox', { name: 'Email', exact: true })).toBeFocused();
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill(email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/check-email\?email=/);
  const mail = await waitForMail(email, /confirm your email/i);
  await page.goto(linkIn(mail, '/verify-email'));
  await expect(page.getByRole('heading', { name: 'Email verified' })).toBeVisible();
  await page.getByRole('link', { name: 'Sign in' }).last().click();
  await expect(page.getByRole('textbox', { name: 'Email', exact: true })).toHaveValue(email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page).toHaveURL(/\/plans$/);
});

test('a second email too soon: one sentence, counting down, the button off until then', async ({ page }) => {
  const { client } = stack();
  const password = 'thistle-anchor-92';
  const email = await verifiedAccount(page, 'cooldown', password);
  await page.goto(`${client}/forgot-password`);
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill(email);
  await page.getByRole('radio', { name: 'Email me a 6-digit code' }).check();
  await page.getByRole('button', { name: 'Send code' }).click();
  await page.getByRole('button', { name: /Send a new code/ }).click();

  const message = page.getByRole('status').filter({ hasText: /try again in \d+ seconds?\./ });
  await expect(message).toBeVisible();
  const first = await message.innerText();
  // One sentence: a single full stop, at the end.
  expect(first.trim().match(/\./g)).toHaveLength(1);
  await expect(page.getByRole('button', { name: /Send a new code/ })).toBeDisabled();
  const seconds = (text: string) => Number(/try again in (\d+) second/.exec(text)?.[1]);
  await expect.poll(async () => seconds(await message.innerText()), { timeout: 5_000 }).toBeLessThan(seconds(first));
});

test('the empty sign-up form asks for an email address; a spent reset link offers a new one', async ({ page }) => {
  const { client } = stack();
  await page.goto(`${client}/register`);
  await page.getByRole('button', { name: 'Create account' }).click();
  const email = page.getByRole('textbox', { name: 'Email', exact: true });
  await expect(email).toHaveAttribute('aria-invalid', 'true');
  await expect(email).toHaveAccessibleDescription('Enter your email address.');

  await page.goto(`${client}/reset-password?token=spent-or-made-up`);
  await page.getByRole('textbox', { name: 'New password', exact: true }).fill('river-stone-55-new');
  await page.getByRole('textbox', { name: 'Repeat the new password' }).fill('river-stone-55-new');
  await page.getByRole('button', { name: 'Set new password' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await page.getByRole('link', { name: 'Send me a new link' }).click();
  await expect(page).toHaveURL(/\/forgot-password/);
  await expect(page.getByRole('heading', { name: 'Forgot your password?' })).toBeVisible();
});

test('accessibility: the "Check your email" notice after asking for a reset link', async ({ page }) => {
  const { client } = stack();
  await page.goto(`${client}/forgot-password`);
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill(uniqueEmail('nobody'));
  await page.getByRole('button', { name: 'Send reset link' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Check your email' })).toBeVisible();
  await capture(page, 'forgot-password-sent');
});
