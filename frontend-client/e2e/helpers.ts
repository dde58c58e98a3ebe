import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export interface StackAddresses {
  api: string;
  client: string;
  mail: string;
  google: string;
  checkout: string;
  /** The server's STEP_UP_WINDOW: sensitive changes later than this after a sign-in ask to confirm. */
  stepUpWindowSeconds: number;
  /** How to run `manage.py shell` against this stack's server (its settings and database). */
  serverShell: { python: string; cwd: string; envFile: string };
}

export function stack(): StackAddresses {
  const file = process.env.E2E_STACK_FILE ?? resolve(import.meta.dirname, '.stack', 'stack.json');
  return JSON.parse(readFileSync(file, 'utf8')) as StackAddresses;
}

export function uniqueEmail(label: string): string {
  return `${label}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
}

interface Mail {
  to: string;
  subject: string;
  text: string;
}

/** Waits for a mail to `to` (delivered by the server's worker through SMTP) and returns it. */
export async function waitForMail(to: string, subject: RegExp): Promise<Mail> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const response = await fetch(stack().mail);
    const mails = (await response.json()) as Mail[];
    const found = mails.filter((mail) => mail.to.includes(to) && subject.test(mail.subject)).at(-1);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`no mail to ${to} matching ${subject}`);
}

/** The link into the client found in a mail, e.g. /verify-email?token=… */
export function linkIn(mail: Mail, path: string): string {
  const escaped = stack().client.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`${escaped}${path}\\?token=[^\\s"'<>]+`).exec(mail.text);
  if (!match) throw new Error(`no ${path} link in the mail: ${mail.text}`);
  return match[0];
}

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

/**
 * Screenshots of the page at desktop and phone width into test-results/screens/, and an
 * axe-core scan at both widths that must find no serious or critical violation.
 */
export async function capture(page: Page, name: string): Promise<void> {
  const dir = resolve(import.meta.dirname, '..', 'test-results', 'screens');
  mkdirSync(dir, { recursive: true });
  const original = page.viewportSize() ?? DESKTOP;
  for (const [label, size] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    await page.setViewportSize(size);
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: resolve(dir, `${name}-${label}.png`), fullPage: true });
    const results = await new AxeBuilder({ page })
      .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
      .analyze();
    const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(
      serious.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
      `accessibility of ${name} at ${label} width`,
    ).toEqual([]);
    // Nothing may be wider than the screen at phone width.
    if (label === 'phone') {
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${name} fits a phone screen`).toBeLessThanOrEqual(1);
    }
  }
  await page.setViewportSize(original);
}

export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto(`${stack().client}/login`);
  await page.getByRole('textbox', { name: 'Email', exact: true }).fill(email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).last().click();
  await expect(page.getByTestId('signed-in-as')).toBeVisible();
}

/**
 * Waits until the step-up window that started at `since` (ms, a sign-in) has passed, so that
 * the next sensitive change asks the user to confirm it is them.
 */
export async function waitOutStepUpWindow(page: Page, since: number): Promise<void> {
  const wait = since + (stack().stepUpWindowSeconds + 2) * 1000 - Date.now();
  if (wait > 0) await page.waitForTimeout(wait);
}

/** The 6-digit one-time code in a mail sent with `method: CODE` (on a line of its own). */
export function codeIn(mail: Mail): string {
  const match = /^\s*(\d{6})\s*$/m.exec(mail.text);
  if (!match) throw new Error(`no 6-digit code in the mail: ${mail.text}`);
  return match[1];
}

/** A well-formed code that is not `code`: the same digits shifted by one. */
export function wrongCode(code: string): string {
  return code.replace(/\d/g, (digit) => String((Number(digit) + 1) % 10));
}

/**
 * Runs Python in `manage.py shell` with the stack server's settings and database, to arrange
 * what a browser cannot (an older sign-in, a link the server signs). Answers the last line
 * the code printed.
 */
export function serverShell(code: string): string {
  const { python, cwd, envFile } = stack().serverShell;
  const env = JSON.parse(readFileSync(envFile, 'utf8')) as Record<string, string>;
  const out = execFileSync(python, ['manage.py', 'shell', '--no-imports', '-c', code], {
    cwd,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return out.trim().split('\n').at(-1) ?? '';
}

/** Python text of a JavaScript string, for code given to serverShell. */
export function py(value: string): string {
  return JSON.stringify(value);
}
