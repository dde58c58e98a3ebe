import { describe, expect, it } from 'vitest';
import { EVENT_LABELS, eventDetails, eventLabel, isWarning } from './securityEvents';

describe('security log wording', () => {
  it('names every kind the schema has', () => {
    for (const [kind, label] of Object.entries(EVENT_LABELS)) {
      expect(eventLabel(kind)).toBe(label);
      expect(label.length).toBeGreaterThan(0);
    }
  });

  it('shows a kind newer than this client by its own name', () => {
    expect(eventLabel('EMAIL_CODE_SENT')).toBe('email code sent');
  });

  it('marks the events worth a second look', () => {
    expect(isWarning('NEW_DEVICE')).toBe(true);
    expect(isWarning('SECOND_FACTOR_FAILED')).toBe(true);
    expect(isWarning('SIGN_IN')).toBe(false);
  });

  it('says how, on which device and from where', () => {
    expect(eventDetails({ method: 'totp', device: 'Chrome on Linux', ipAddress: '203.0.113.7' })).toBe(
      'with the authenticator app · Chrome on Linux · 203.0.113.7',
    );
    expect(eventDetails({ method: 'passkey', device: null, ipAddress: null })).toBe('with a passkey');
    expect(eventDetails({ method: 'smoke-signal' })).toBe('method: smoke-signal');
    expect(eventDetails({})).toBe('No device details');
  });
});
