/**
 * Passkeys in the browser (WebAuthn). The server sends options as JSON
 * (`PublicKeyCredentialCreationOptionsJSON` / `PublicKeyCredentialRequestOptionsJSON`) and
 * takes back the JSON of `PublicKeyCredential.toJSON()`. Browsers with the WebAuthn JSON
 * methods (Chrome 129+, Firefox 119+, Safari 18.4+) do the conversions themselves; the
 * fallbacks below do the same for older ones, so that a passkey works wherever
 * `navigator.credentials` does.
 */

/** base64url (no padding), as WebAuthn's JSON forms encode every binary member. */
export function base64urlToBuffer(value: string): ArrayBuffer {
  const base64 = value.replace(/-/g, '+').replace(/_/g, '/');
  const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
  const binary = atob(padded);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}

export function bufferToBase64url(value: ArrayBuffer | ArrayBufferView): string {
  const bytes =
    value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The options object inside the server's JSON (some servers wrap it as `{publicKey: …}`). */
function optionsJSON<T>(json: string): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new PasskeyError('bad-options');
  }
  if (!parsed || typeof parsed !== 'object') throw new PasskeyError('bad-options');
  const inner = (parsed as { publicKey?: unknown }).publicKey;
  return (inner && typeof inner === 'object' ? inner : parsed) as T;
}

interface PublicKeyCredentialStatics {
  parseCreationOptionsFromJSON?: (options: PublicKeyCredentialCreationOptionsJSON) => PublicKeyCredentialCreationOptions;
  parseRequestOptionsFromJSON?: (options: PublicKeyCredentialRequestOptionsJSON) => PublicKeyCredentialRequestOptions;
}

function statics(): PublicKeyCredentialStatics | null {
  return typeof PublicKeyCredential === 'undefined' ? null : (PublicKeyCredential as unknown as PublicKeyCredentialStatics);
}

function descriptors(list: readonly PublicKeyCredentialDescriptorJSON[] | undefined): PublicKeyCredentialDescriptor[] | undefined {
  return list?.map((item) => ({
    type: item.type as PublicKeyCredentialType,
    id: base64urlToBuffer(item.id),
    ...(item.transports ? { transports: item.transports as AuthenticatorTransport[] } : {}),
  }));
}

/** The creation options for `navigator.credentials.create`, from the server's JSON. */
export function parseCreationOptions(json: string): PublicKeyCredentialCreationOptions {
  const options = optionsJSON<PublicKeyCredentialCreationOptionsJSON>(json);
  const native = statics()?.parseCreationOptionsFromJSON;
  if (typeof native === 'function') return native(options);
  const { challenge, user, excludeCredentials, ...rest } = options;
  return {
    ...(rest as Omit<PublicKeyCredentialCreationOptions, 'challenge' | 'user' | 'excludeCredentials'>),
    challenge: base64urlToBuffer(challenge),
    user: { ...user, id: base64urlToBuffer(user.id) },
    excludeCredentials: descriptors(excludeCredentials),
  };
}

/** The request options for `navigator.credentials.get`, from the server's JSON. */
export function parseRequestOptions(json: string): PublicKeyCredentialRequestOptions {
  const options = optionsJSON<PublicKeyCredentialRequestOptionsJSON>(json);
  const native = statics()?.parseRequestOptionsFromJSON;
  if (typeof native === 'function') return native(options);
  const { challenge, allowCredentials, ...rest } = options;
  return {
    ...(rest as Omit<PublicKeyCredentialRequestOptions, 'challenge' | 'allowCredentials'>),
    challenge: base64urlToBuffer(challenge),
    allowCredentials: descriptors(allowCredentials),
  };
}

/** The subset of PublicKeyCredential this module reads (real ones, or a test's). */
export interface CredentialLike {
  id: string;
  rawId: ArrayBuffer;
  type: string;
  authenticatorAttachment?: string | null;
  response: {
    clientDataJSON: ArrayBuffer;
    attestationObject?: ArrayBuffer;
    authenticatorData?: ArrayBuffer;
    signature?: ArrayBuffer;
    userHandle?: ArrayBuffer | null;
    getTransports?: () => string[];
  };
  getClientExtensionResults?: () => AuthenticationExtensionsClientOutputs;
  toJSON?: () => unknown;
}

/**
 * The JSON string the server takes (`PublicKeyCredential.toJSON()`), built by hand where the
 * browser has no `toJSON`: base64url for every binary member, as the WebAuthn spec defines it.
 */
export function credentialToJSON(credential: CredentialLike): string {
  if (typeof credential.toJSON === 'function') return JSON.stringify(credential.toJSON());
  const { response } = credential;
  const json: Record<string, unknown> = {
    id: credential.id,
    rawId: bufferToBase64url(credential.rawId),
    type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment ?? null,
    clientExtensionResults: credential.getClientExtensionResults?.() ?? {},
  };
  if (response.attestationObject) {
    json.response = {
      clientDataJSON: bufferToBase64url(response.clientDataJSON),
      attestationObject: bufferToBase64url(response.attestationObject),
      transports: response.getTransports?.() ?? [],
    };
  } else {
    json.response = {
      clientDataJSON: bufferToBase64url(response.clientDataJSON),
      authenticatorData: bufferToBase64url(response.authenticatorData ?? new ArrayBuffer(0)),
      signature: bufferToBase64url(response.signature ?? new ArrayBuffer(0)),
      userHandle: response.userHandle ? bufferToBase64url(response.userHandle) : null,
    };
  }
  return JSON.stringify(json);
}

export type PasskeyProblem =
  | 'unsupported'
  | 'cancelled'
  | 'already-registered'
  | 'insecure'
  | 'bad-options'
  | 'failed';

export const PASSKEY_PROBLEM_MESSAGES: Record<PasskeyProblem, string> = {
  unsupported: 'This browser cannot use passkeys. Try an up-to-date browser, or use another way to sign in.',
  cancelled: 'The passkey prompt was closed or timed out. Try again when you are ready.',
  'already-registered': 'A passkey from this device is already registered to your account.',
  insecure: 'Passkeys need a secure connection to this site. Open it over https.',
  'bad-options': 'The server sent passkey options this browser cannot read. Please try again.',
  failed: 'The passkey could not be used. Please try again.',
};

/** A passkey ceremony that failed in the browser, with a message for the user. */
export class PasskeyError extends Error {
  constructor(readonly problem: PasskeyProblem) {
    super(PASSKEY_PROBLEM_MESSAGES[problem]);
    this.name = 'PasskeyError';
  }
}

/** What a failed `navigator.credentials.create/get` means, by the DOMException's name. */
export function passkeyProblemOf(error: unknown): PasskeyProblem {
  if (error instanceof PasskeyError) return error.problem;
  const name = error && typeof error === 'object' ? (error as { name?: unknown }).name : undefined;
  switch (name) {
    // The user closed the prompt, it timed out, or no passkey matched (the browser does not
    // tell which, on purpose).
    case 'NotAllowedError':
    case 'AbortError':
      return 'cancelled';
    // create(): an authenticator already holds one of excludeCredentials.
    case 'InvalidStateError':
      return 'already-registered';
    // Wrong RP ID for this origin, or not a secure context.
    case 'SecurityError':
      return 'insecure';
    case 'NotSupportedError':
      return 'unsupported';
    case 'TypeError':
    case 'SyntaxError':
    case 'EncodingError':
      return 'bad-options';
    default:
      return 'failed';
  }
}

export function passkeysSupported(): boolean {
  return (
    typeof window !== 'undefined' &&
    typeof window.PublicKeyCredential !== 'undefined' &&
    typeof navigator !== 'undefined' &&
    Boolean(navigator.credentials)
  );
}

/** Asks the browser for an assertion (sign-in, second factor, step-up); returns its JSON. */
export async function getPasskeyAssertion(optionsJson: string): Promise<string> {
  if (!passkeysSupported()) throw new PasskeyError('unsupported');
  try {
    const publicKey = parseRequestOptions(optionsJson);
    const credential = await navigator.credentials.get({ publicKey });
    if (!credential) throw new PasskeyError('cancelled');
    return credentialToJSON(credential as unknown as CredentialLike);
  } catch (error) {
    throw error instanceof PasskeyError ? error : new PasskeyError(passkeyProblemOf(error));
  }
}

/** Asks the browser to create a passkey; returns the attestation's JSON. */
export async function createPasskey(optionsJson: string): Promise<string> {
  if (!passkeysSupported()) throw new PasskeyError('unsupported');
  try {
    const publicKey = parseCreationOptions(optionsJson);
    const credential = await navigator.credentials.create({ publicKey });
    if (!credential) throw new PasskeyError('cancelled');
    return credentialToJSON(credential as unknown as CredentialLike);
  } catch (error) {
    throw error instanceof PasskeyError ? error : new PasskeyError(passkeyProblemOf(error));
  }
}
