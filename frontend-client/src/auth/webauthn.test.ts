import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  PasskeyError,
  base64urlToBuffer,
  bufferToBase64url,
  credentialToJSON,
  parseCreationOptions,
  parseRequestOptions,
  passkeyProblemOf,
} from './webauthn';

const bytes = (...values: number[]) => new Uint8Array(values).buffer;

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('base64url', () => {
  it('round-trips every byte value, without padding or + /', () => {
    const all = new Uint8Array(256).map((_, i) => i);
    const text = bufferToBase64url(all);
    expect(text).not.toMatch(/[+/=]/);
    expect(new Uint8Array(base64urlToBuffer(text))).toEqual(all);
  });

  it('decodes unpadded values of every length', () => {
    expect(new Uint8Array(base64urlToBuffer('_w'))).toEqual(new Uint8Array([255]));
    expect(new Uint8Array(base64urlToBuffer('-_8'))).toEqual(new Uint8Array([251, 255]));
    expect(bufferToBase64url(bytes(251, 255))).toBe('-_8');
  });
});

describe('options from the server', () => {
  const creation = {
    rp: { id: 'localhost', name: 'Gatehouse' },
    user: { id: bufferToBase64url(bytes(1, 2, 3)), name: 'ada@example.com', displayName: 'Ada' },
    challenge: bufferToBase64url(bytes(9, 8, 7)),
    pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
    excludeCredentials: [{ type: 'public-key', id: bufferToBase64url(bytes(4, 5)), transports: ['internal'] }],
    authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
  };

  it('decodes creation options by hand where the browser cannot', () => {
    vi.stubGlobal('PublicKeyCredential', undefined);
    const options = parseCreationOptions(JSON.stringify(creation));
    expect(new Uint8Array(options.challenge as ArrayBuffer)).toEqual(new Uint8Array([9, 8, 7]));
    expect(new Uint8Array(options.user.id as ArrayBuffer)).toEqual(new Uint8Array([1, 2, 3]));
    expect(options.user.name).toBe('ada@example.com');
    expect(new Uint8Array(options.excludeCredentials![0].id as ArrayBuffer)).toEqual(new Uint8Array([4, 5]));
    expect(options.excludeCredentials![0].transports).toEqual(['internal']);
    expect(options.authenticatorSelection?.residentKey).toBe('required');
  });

  it("uses the browser's own parser when it has one", () => {
    const parseCreationOptionsFromJSON = vi.fn(() => ({ native: true }));
    vi.stubGlobal('PublicKeyCredential', { parseCreationOptionsFromJSON });
    expect(parseCreationOptions(JSON.stringify({ publicKey: creation }))).toEqual({ native: true });
    expect(parseCreationOptionsFromJSON).toHaveBeenCalledWith(creation);
  });

  it('decodes request options, with no allowCredentials for discoverable passkeys', () => {
    vi.stubGlobal('PublicKeyCredential', undefined);
    const options = parseRequestOptions(JSON.stringify({ challenge: 'AQID', rpId: 'localhost', userVerification: 'preferred' }));
    expect(new Uint8Array(options.challenge as ArrayBuffer)).toEqual(new Uint8Array([1, 2, 3]));
    expect(options.rpId).toBe('localhost');
    expect(options.allowCredentials).toBeUndefined();
  });

  it('refuses options that are not JSON', () => {
    expect(() => parseRequestOptions('not json')).toThrow(PasskeyError);
    expect(() => parseRequestOptions('"a string"')).toThrow(PasskeyError);
  });
});

describe('credential JSON', () => {
  it("is the browser's toJSON when there is one", () => {
    const credential = {
      id: 'x',
      rawId: bytes(1),
      type: 'public-key',
      response: { clientDataJSON: bytes(1) },
      toJSON: () => ({ id: 'x', native: true }),
    };
    expect(JSON.parse(credentialToJSON(credential))).toEqual({ id: 'x', native: true });
  });

  it('encodes an attestation by hand', () => {
    const json = JSON.parse(
      credentialToJSON({
        id: 'AQI',
        rawId: bytes(1, 2),
        type: 'public-key',
        authenticatorAttachment: 'platform',
        response: { clientDataJSON: bytes(3), attestationObject: bytes(4), getTransports: () => ['internal'] },
        getClientExtensionResults: () => ({ credProps: { rk: true } }),
      }),
    );
    expect(json).toEqual({
      id: 'AQI',
      rawId: 'AQI',
      type: 'public-key',
      authenticatorAttachment: 'platform',
      clientExtensionResults: { credProps: { rk: true } },
      response: { clientDataJSON: 'Aw', attestationObject: 'BA', transports: ['internal'] },
    });
  });

  it('encodes an assertion by hand, with its user handle', () => {
    const json = JSON.parse(
      credentialToJSON({
        id: 'AQI',
        rawId: bytes(1, 2),
        type: 'public-key',
        response: { clientDataJSON: bytes(3), authenticatorData: bytes(5), signature: bytes(6), userHandle: bytes(7) },
      }),
    );
    expect(json.response).toEqual({ clientDataJSON: 'Aw', authenticatorData: 'BQ', signature: 'Bg', userHandle: 'Bw' });
    expect(json.authenticatorAttachment).toBeNull();
  });
});

describe('browser failures', () => {
  it('maps DOMException names to what the user can do', () => {
    expect(passkeyProblemOf(new DOMException('closed', 'NotAllowedError'))).toBe('cancelled');
    expect(passkeyProblemOf(new DOMException('exists', 'InvalidStateError'))).toBe('already-registered');
    expect(passkeyProblemOf(new DOMException('rp id', 'SecurityError'))).toBe('insecure');
    expect(passkeyProblemOf(new DOMException('no', 'NotSupportedError'))).toBe('unsupported');
    expect(passkeyProblemOf(new TypeError('bad'))).toBe('bad-options');
    expect(passkeyProblemOf(new Error('?'))).toBe('failed');
    expect(passkeyProblemOf(new PasskeyError('unsupported'))).toBe('unsupported');
    expect(new PasskeyError('cancelled').message).toMatch(/closed or timed out/);
  });
});
