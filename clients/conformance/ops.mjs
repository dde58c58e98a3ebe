// Shared by the scripts: the operations of src/operations.graphql (the ones codegen types),
// the server's address, the verification mail and small checks.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Kind, parse, print } from "graphql";

const source = parse(readFileSync(new URL("./src/operations.graphql", import.meta.url), "utf8"));
const fragments = source.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION);

/** The named operation with the fragments it spreads, as one document. */
export function doc(name) {
  const operation = source.definitions.find(
    (d) => d.kind === Kind.OPERATION_DEFINITION && d.name?.value === name,
  );
  if (!operation) throw new Error(`no operation ${name} in src/operations.graphql`);
  const text = print(operation);
  const used = fragments.filter((f) => text.includes(`...${f.name.value}`));
  return { kind: Kind.DOCUMENT, definitions: [operation, ...used] };
}

export const GRAPHQL_URL = required("GATEHOUSE_URL");
const MAIL_DIR = required("MAIL_DIR");

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

export function check(condition, message, detail) {
  if (!condition) {
    throw new Error(`${message}${detail === undefined ? "" : `: ${JSON.stringify(detail)}`}`);
  }
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The token of the verification link mailed to `email` (the test's SMTP sink writes each
 *  message's text to MAIL_DIR). */
export async function verificationToken(email, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const name of readdirSync(MAIL_DIR).filter((file) => file.endsWith(".txt"))) {
      const text = readFileSync(join(MAIL_DIR, name), "utf8");
      if (!text.startsWith(`To: ${email}\n`)) continue;
      const match = text.match(/\/verify-email\?token=([^\s]+)/);
      if (match) return decodeURIComponent(match[1]);
    }
    await sleep(100);
  }
  throw new Error(`no verification email for ${email}`);
}

/** Wait until an access token that expires at `expiresAt` (RFC 3339) has expired. */
export async function waitUntilExpired(expiresAt) {
  const wait = new Date(expiresAt).getTime() - Date.now() + 1200;
  check(Number.isFinite(wait), "accessTokenExpiresAt is not a date", expiresAt);
  if (wait > 0) await sleep(wait);
}

export const RFC3339_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;
