import { expect, test } from '@playwright/test';
import { capture, linkIn, signIn, stack, uniqueEmail, waitForMail, waitOutStepUpWindow } from './helpers';

// The journeys are independent (each has its own account), so they run side by side.
test.describe.configure({ mode: 'parallel' });

const PREMIUM = 'passkeys-in-practice'; // tier 1 in the demo data

test('register, verify, subscribe, stay signed in, and sign out everywhere', async ({ page, browser }) => {
  // The whole member journey, with a dozen screenshot-and-axe captures: longer than the default.
  test.setTimeout(240_000);
  const { client } = stack();
  const email = uniqueEmail('member');
  const password = 'lantern-orchard-42';
  let signedInAt = 0;

  await test.step('anonymous visitors see the articles with lock badges', async () => {
    await page.goto(client);
    await expect(page.getByRole('heading', { name: 'Articles', level: 1 })).toBeVisible();
    await expect(page.getByText('Locked', { exact: true }).first()).toBeVisible();
    await capture(page, 'articles');
    await page.getByRole('button', { name: 'Load more articles' }).click();
    await expect(page.getByTestId('article-count')).toHaveText(/Showing 5 of 5/);
  });

  await test.step('register: field errors next to the fields, then success', async () => {
    await page.getByRole('link', { name: 'Create account' }).click();
    await page.getByRole('textbox', { name: 'Email', exact: true }).fill(email);
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill('short');
    // Too long: the server names it `profile.displayName`, which belongs next to this input.
    const displayName = page.getByLabel('Display name (optional)');
    await displayName.fill('A'.repeat(51));
    await page.getByRole('button', { name: 'Create account' }).click();
    const field = page.getByRole('textbox', { name: 'Password', exact: true });
    await expect(field).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByText(/too short|at least 10/i).first()).toBeVisible();
    await expect(displayName).toHaveAttribute('aria-invalid', 'true');
    await expect(displayName).toHaveAccessibleDescription(/at most 50 characters/i);
    await expect(page.getByRole('alert').filter({ hasText: /at most 50 characters/i })).toHaveCount(0);
    await capture(page, 'register');
    await displayName.fill('Ada Member');
    await field.fill(password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page).toHaveURL(/\/check-email\?email=/);
    await expect(page.getByRole('heading', { name: 'Check your email' })).toBeVisible();
    await capture(page, 'check-email');
  });

  await test.step('the verification mail verifies the address', async () => {
    const mail = await waitForMail(email, /confirm your email/i);
    await page.goto(linkIn(mail, '/verify-email'));
    await expect(page.getByRole('heading', { name: 'Email verified' })).toBeVisible();
    await capture(page, 'verify-email');
  });

  await test.step('sign in', async () => {
    await page.getByRole('link', { name: 'Sign in' }).last().click();
    await capture(page, 'login');
    await page.getByRole('textbox', { name: 'Email', exact: true }).fill(email);
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.getByTestId('signed-in-as')).toContainText('Ada Member');
    signedInAt = Date.now();
  });

  await test.step('a premium article is locked', async () => {
    await page.goto(`${client}/articles/${PREMIUM}`);
    await expect(page.getByTestId('paywall')).toBeVisible();
    await expect(page.getByTestId('article-body')).toHaveCount(0);
    await capture(page, 'article-locked');
  });

  await test.step('subscribe through Stripe Checkout', async () => {
    await page.getByRole('link', { name: 'See plans' }).click();
    await expect(page.getByRole('heading', { name: 'Plans', level: 1 })).toBeVisible();
    await capture(page, 'plans');
    await page.getByRole('button', { name: 'Subscribe to Basic' }).click();
    await expect(page).toHaveURL(/^https:\/\/localhost:\d+\/c\/pay\//);
    await page.getByRole('button', { name: 'Pay' }).click();
    await expect(page).toHaveURL(/\/membership\/welcome\?session_id=cs_/);
    await expect(page.getByRole('heading', { name: 'Welcome, member!' })).toBeVisible();
    await capture(page, 'welcome');
  });

  await test.step('the premium article opens', async () => {
    await page.goto(`${client}/articles/${PREMIUM}`);
    await expect(page.getByTestId('article-body')).toContainText('full text');
    await capture(page, 'article');
  });

  await test.step('a reload keeps the member signed in', async () => {
    await page.reload();
    await expect(page.getByTestId('signed-in-as')).toContainText('Ada Member');
    await expect(page.getByTestId('article-body')).toBeVisible();
  });

  await test.step('the plans page shows the membership', async () => {
    await page.getByRole('link', { name: 'Plans' }).click();
    await expect(page.getByTestId('current-subscription')).toContainText('Basic');
    await capture(page, 'plans-member');
  });

  await test.step('edit the profile, with a field error first', async () => {
    await page.getByRole('link', { name: 'Profile' }).click();
    await page.getByLabel('Website').fill('not a url');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await expect(page.getByLabel('Website')).toHaveAttribute('aria-invalid', 'true');
    await page.getByLabel('Website').fill('https://ada.example.com');
    await page.getByLabel('Short intro').fill('Reads everything about auth.');
    await page.getByLabel('Display name').fill('Ada Lovelace');
    for (const link of ['https://social.example.com/@ada', '', 'not a link']) {
      await page.getByRole('button', { name: 'Add a link' }).click();
      await page.getByRole('textbox', { name: 'Link', exact: false }).last().fill(link);
    }
    await page.getByRole('button', { name: 'Save profile' }).click();
    // `links[2]` is the third input, even with a blank one before it.
    const third = page.getByRole('textbox', { name: 'Link 3' });
    await expect(third).toHaveAttribute('aria-invalid', 'true');
    await expect(third).toHaveAccessibleDescription(/http\(s\) URL/);
    await expect(page.getByRole('textbox', { name: 'Link 1' })).not.toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByRole('textbox', { name: 'Link 2' })).not.toHaveAttribute('aria-invalid', 'true');
    await third.fill('https://code.example.com/ada');
    const meQueries: string[] = [];
    const countMe = (request: { postData(): string | null; url(): string }) => {
      if ((request.postData() ?? '').includes('query Me')) meQueries.push(request.url());
    };
    page.on('request', countMe);
    await page.getByRole('button', { name: 'Save profile' }).click();
    await expect(page.getByText('Profile saved.')).toBeVisible();
    const view = page.getByTestId('profile-view');
    await expect(view).toContainText('https://social.example.com/@ada');
    await expect(view).toContainText('https://code.example.com/ada');
    // The header reads `me`: the mutation's `user` updated it, with no reload and no `Me` query.
    await expect(page.getByTestId('signed-in-as')).toContainText('Ada Lovelace');
    page.off('request', countMe);
    expect(meQueries).toEqual([]);
    await capture(page, 'profile');
  });

  await test.step('emptying a profile field clears it', async () => {
    await page.getByLabel('Short intro').fill('');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await expect(page.getByText('Profile saved.')).toBeVisible();
    await expect(page.getByTestId('profile-view')).not.toContainText('Reads everything about auth.');
    await page.reload();
    await expect(page.getByTestId('profile-view')).toContainText('https://ada.example.com');
    await expect(page.getByTestId('profile-view')).not.toContainText('Reads everything about auth.');
    await expect(page.getByLabel('Short intro')).toHaveValue('');
    await expect(page.getByTestId('signed-in-as')).toContainText('Ada Lovelace');
  });

  const other = await browser.newContext();
  const second = await other.newPage();
  await test.step('a second browser signs in', async () => {
    await signIn(second, email, password);
    await second.goto(`${client}/articles/${PREMIUM}`);
    await expect(second.getByTestId('article-body')).toBeVisible();
  });

  await test.step('sign out everywhere from the first browser, confirming it is the member', async () => {
    await page.getByRole('link', { name: 'Security' }).click();
    await expect(page.getByTestId('sessions').getByRole('listitem')).toHaveCount(2);
    await expect(page.getByText('This device')).toHaveCount(1);
    await capture(page, 'security');
    // Long after signing in, ending every session needs the password again (step-up).
    await waitOutStepUpWindow(page, signedInAt);
    await page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await page.getByRole('button', { name: 'Yes, sign out everywhere' }).click();
    const dialog = page.getByRole('dialog', { name: "Confirm it's you" });
    await expect(dialog).toBeVisible();
    await capture(page, 'step-up');
    const passwordInput = dialog.getByRole('textbox', { name: 'Password', exact: true });
    await passwordInput.fill('not-the-password-1');
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await expect(dialog.getByRole('alert')).toContainText('That password is not right.');
    await passwordInput.fill(password);
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    // Confirmed: the action runs again by itself, once.
    await expect(page).toHaveURL(/\/login/);
    await expect(page.getByRole('link', { name: 'Sign in' })).toBeVisible();
  });

  await test.step("the second browser's next action finds itself signed out, and says why", async () => {
    await second.getByRole('link', { name: 'Security' }).click();
    await expect(second).toHaveURL(/\/login/);
    await expect(second.getByRole('status').filter({ hasText: 'Signed out' })).toBeVisible();
    await expect(second.getByTestId('signed-in-as')).toHaveCount(0);
    await capture(second, 'login-signed-out-elsewhere');
  });
  await other.close();
});

test('forgot password, reset it from the mail, sign in with the new password', async ({ page }) => {
  const { client } = stack();
  const email = 'demo@example.com';
  const newPassword = 'brand-new-harbour-77';

  await page.goto(`${client}/login`);
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await capture(page, 'forgot-password');
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill(email);
  await page.getByRole('button', { name: 'Send reset link' }).click();
  await expect(page.getByText(`If an account exists for ${email}`)).toBeVisible();

  const mail = await waitForMail(email, /reset your password/i);
  await page.goto(linkIn(mail, '/reset-password'));
  await capture(page, 'reset-password');
  await page.getByRole('textbox', { name: 'New password', exact: true }).fill(newPassword);
  await page.getByRole('textbox', { name: 'Repeat the new password' }).fill(newPassword);
  await page.getByRole('button', { name: 'Set new password' }).click();
  await expect(page.getByRole('heading', { name: 'Password changed' })).toBeVisible();

  // The old password no longer works; the new one does.
  await page.goto(`${client}/login`);
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill(email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill('demo-password-123');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText(/could not sign in/i);
  await signIn(page, email, newPassword);
  await expect(page.getByTestId('signed-in-as')).toContainText('Demo Member');

  // A reset link works once.
  await page.goto(linkIn(mail, '/reset-password'));
  await page.getByRole('textbox', { name: 'New password', exact: true }).fill('another-new-pass-88');
  await page.getByRole('textbox', { name: 'Repeat the new password' }).fill('another-new-pass-88');
  await page.getByRole('button', { name: 'Set new password' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
});

test('Google sign-in through the local provider', async ({ page }) => {
  const { client } = stack();
  await page.goto(`${client}/login`);
  await page.getByRole('button', { name: 'Continue with Google' }).click();
  await expect(page).toHaveURL(new RegExp(`^${client}/`));
  await expect(page.getByTestId('signed-in-as')).toBeVisible();
  await page.getByRole('link', { name: 'Security' }).click();
  await expect(page.getByTestId('sessions')).toContainText('Google');
  await page.getByRole('link', { name: 'Profile' }).click();
  await expect(page.getByText('grace@example.com')).toBeVisible();
});

test('a Google callback whose state this browser did not start is refused', async ({ page }) => {
  const { client } = stack();
  await page.goto(`${client}/auth/google/callback?code=forged&state=forged`);
  await expect(page.getByRole('heading', { name: 'Google sign-in failed' })).toBeVisible();
  await capture(page, 'google-callback-failed');
});

test('other pages: not found, expired verification link', async ({ page }) => {
  const { client } = stack();
  await page.goto(`${client}/no-such-page`);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await capture(page, 'not-found');
  await page.goto(`${client}/verify-email?token=not-a-real-token`);
  await expect(page.getByRole('heading', { name: 'Verification failed' })).toBeVisible();
  await capture(page, 'verify-email-failed');
  await page.goto(`${client}/profile`);
  await expect(page).toHaveURL(/\/login\?next=%2Fprofile/);
});

test('two tabs whose access token expired refresh once between them', async ({ browser }) => {
  const { client } = stack();
  const context = await browser.newContext();
  const first = await context.newPage();
  await first.goto(`${client}/login`);
  await first.getByRole('button', { name: 'Continue with Google' }).click();
  await expect(first.getByTestId('signed-in-as')).toBeVisible();
  const second = await context.newPage();
  await second.goto(client); // restores the session from the cookie
  await expect(second.getByTestId('signed-in-as')).toBeVisible();

  // Wait out the access token (ACCESS_TOKEN_LIFETIME is 20 s in the stack).
  await first.waitForTimeout(21_000);
  const refreshes: string[] = [];
  context.on('request', (request) => {
    if (request.method() === 'POST' && (request.postData() ?? '').includes('mutation Refresh')) {
      refreshes.push(request.url());
    }
  });
  await Promise.all([
    first.getByRole('link', { name: 'Security' }).click(),
    second.getByRole('link', { name: 'Security' }).click(),
  ]);
  await expect(first.getByTestId('sessions')).toContainText('This device');
  await expect(second.getByTestId('sessions')).toContainText('This device');
  expect(refreshes).toHaveLength(1);
  await context.close();
});
