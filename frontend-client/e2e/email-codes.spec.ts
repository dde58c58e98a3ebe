import { expect, test, type Page } from '@playwright/test';
import { capture, codeIn, signIn, stack, uniqueEmail, waitForMail, wrongCode } from './helpers';

// One-time codes emailed instead of links, for people and apps that cannot open a link.

function codeField(page: Page) {
  return page.getByRole('textbox', { name: '6-digit code' });
}

test('register and verify with an emailed code, then reset the password with a code', async ({ page }) => {
  test.setTimeout(180_000);
  const { client } = stack();
  const email = uniqueEmail('coder');
  const password = 'quiet-meadow-lamp-31';
  const newPassword = 'copper-kettle-river-58';

  await test.step('register, asking for a code instead of a link', async () => {
    await page.goto(`${client}/register`);
    await page.getByRole('textbox', { name: 'Email', exact: true }).fill(email);
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill(password);
    await page.getByRole('radio', { name: 'Email me a 6-digit code' }).check();
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page).toHaveURL(/\/check-email\?email=.*&method=code/);
    await expect(codeField(page)).toBeVisible();
    await capture(page, 'check-email-code');
  });

  await test.step('a wrong code is refused at the field; the right one still verifies', async () => {
    const code = codeIn(await waitForMail(email, /verification code/i));
    // Not six digits: caught before it spends one of the code's five tries.
    await codeField(page).fill('12345');
    await page.getByRole('button', { name: 'Verify email' }).click();
    await expect(codeField(page)).toHaveAccessibleDescription(/6 digits; this has 5/);
    await codeField(page).fill(wrongCode(code));
    await page.getByRole('button', { name: 'Verify email' }).click();
    await expect(codeField(page)).toHaveAttribute('aria-invalid', 'true');
    await expect(codeField(page)).toHaveAccessibleDescription(/this code is wrong or has expired/i);
    // Typed with a space between the groups, as people copy it from the mail.
    await codeField(page).fill(`${code.slice(0, 3)} ${code.slice(3)}`);
    await page.getByRole('button', { name: 'Verify email' }).click();
    await expect(page.getByRole('heading', { name: 'Email verified' })).toBeVisible();
  });

  await test.step('sign in, then sign out', async () => {
    await page.getByRole('link', { name: 'Sign in' }).last().click();
    await signIn(page, email, password);
    await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/login/);
    await expect(page.getByTestId('signed-in-as')).toHaveCount(0);
  });

  await test.step('forgot password: ask for a code, the page moves on to the code step', async () => {
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByRole('textbox', { name: 'Email', exact: true }).fill(email);
    await page.getByRole('radio', { name: 'Email me a 6-digit code' }).check();
    await page.getByRole('button', { name: 'Send code' }).click();
    await expect(page.getByRole('heading', { name: 'Enter the code' })).toBeVisible();
    await capture(page, 'reset-with-code');
  });

  await test.step('a new code at once meets the cooldown', async () => {
    await page.getByRole('button', { name: /Send a new code/ }).click();
    await expect(page.getByRole('status').filter({ hasText: /(try again in|wait) \d+ (second|minute)/i })).toBeVisible();
    await expect(page.getByRole('button', { name: /Send a new code/ })).toBeDisabled();
  });

  await test.step('reset with the code: a wrong code, then the right one', async () => {
    const code = codeIn(await waitForMail(email, /password reset code/i));
    await codeField(page).fill(wrongCode(code));
    await page.getByRole('textbox', { name: 'New password', exact: true }).fill(newPassword);
    await page.getByRole('textbox', { name: 'Repeat the new password' }).fill(newPassword);
    await page.getByRole('button', { name: 'Set new password' }).click();
    await expect(codeField(page)).toHaveAttribute('aria-invalid', 'true');
    await expect(codeField(page)).toHaveAccessibleDescription(/this code is wrong or has expired/i);
    // A weak password is named at its field (and refused before the code is spent).
    await codeField(page).fill(code);
    await page.getByRole('textbox', { name: 'New password', exact: true }).fill('short');
    await page.getByRole('textbox', { name: 'Repeat the new password' }).fill('short');
    await page.getByRole('button', { name: 'Set new password' }).click();
    const newField = page.getByRole('textbox', { name: 'New password', exact: true });
    await expect(newField).toHaveAttribute('aria-invalid', 'true');
    await expect(newField).toHaveAccessibleDescription(/too short|at least 10/i);
    await newField.fill(newPassword);
    await page.getByRole('textbox', { name: 'Repeat the new password' }).fill(newPassword);
    await page.getByRole('button', { name: 'Set new password' }).click();
    await expect(page.getByRole('heading', { name: 'Password changed' })).toBeVisible();
  });

  await test.step('the old password no longer works; the new one does', async () => {
    await page.goto(`${client}/login`);
    await page.getByRole('textbox', { name: 'Email', exact: true }).fill(email);
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.getByRole('alert')).toContainText(/could not sign in/i);
    await signIn(page, email, newPassword);
  });
});

test('"I got a code": a link sign-up switches to a code on the check-email page', async ({ page }) => {
  const { client } = stack();
  const email = uniqueEmail('switcher');
  await page.goto(`${client}/register`);
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill(email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill('amber-lighthouse-64');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByText('We sent a verification link')).toBeVisible();
  await page.getByRole('button', { name: 'Email me a code instead' }).click();
  await expect(codeField(page)).toBeVisible();
  const code = codeIn(await waitForMail(email, /verification code/i));
  await codeField(page).fill(code);
  await page.getByRole('button', { name: 'Verify email' }).click();
  await expect(page.getByRole('heading', { name: 'Email verified' })).toBeVisible();
});
