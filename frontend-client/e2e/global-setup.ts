import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** The stack launcher (e2e/stack.py) wrote the addresses; check that they answer. */
export default async function globalSetup(): Promise<void> {
  const file = process.env.E2E_STACK_FILE ?? resolve(import.meta.dirname, '.stack', 'stack.json');
  if (!existsSync(file)) {
    throw new Error(
      `No running stack (${file}). From the repository root run:\n` +
        '  uv run python frontend-client/e2e/stack.py -- npx playwright test',
    );
  }
  const stack = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  for (const url of [stack.client, stack.mail]) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  }
  process.env.E2E_STACK_FILE = file;
}
