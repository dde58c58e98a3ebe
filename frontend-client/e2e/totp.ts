import { createHmac } from 'node:crypto';

/** RFC 4648 base32 (the alphabet of TOTP secrets), ignoring blanks, hyphens and padding. */
export function base32Decode(secret: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const clean = secret.toUpperCase().replace(/[\s=-]/g, '');
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const char of clean) {
    const index = alphabet.indexOf(char);
    if (index < 0) throw new Error(`not base32: ${char}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The time step (RFC 6238: 30-second steps since the epoch) of `at` (ms). */
export function timeStep(at: number = Date.now(), period = 30): number {
  return Math.floor(at / 1000 / period);
}

/** The RFC 6238 code (HMAC-SHA1, 6 digits) of `secret` for one time step. */
export function totp(secret: string, step: number = timeStep(), digits = 6): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = (mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** digits;
  return binary.toString().padStart(digits, '0');
}

/**
 * A code of a time step not used before: the server refuses a code it accepted once (no
 * replay), so after using one the next is taken from the following step, waiting for it.
 * The returned code is valid for at least `margin` seconds.
 */
export class TotpClock {
  private lastStep = -1;

  constructor(private readonly secret: string) {}

  async next(margin = 5): Promise<string> {
    for (;;) {
      const now = Date.now();
      const step = timeStep(now);
      const left = (step + 1) * 30_000 - now;
      if (step > this.lastStep && left >= margin * 1000) {
        this.lastStep = step;
        return totp(this.secret, step);
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(left + 50, 30_000)));
    }
  }
}
