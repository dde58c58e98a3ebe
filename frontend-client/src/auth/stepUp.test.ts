import { describe, expect, it, vi } from 'vitest';
import { StepUpGate, needsProof, needsStepUp, proofErrors, withProof, withStepUp } from './stepUp';

type Result = { ok: boolean; errors: { code: string }[] };
const STEP_UP: Result = { ok: false, errors: [{ code: 'STEP_UP_REQUIRED' }] };
const OK: Result = { ok: true, errors: [] };
const errorsOf = (r: Result) => r.errors;

/** An action answering each call with the next of `answers`. */
function actionAnswering(...answers: Result[]) {
  let call = 0;
  return vi.fn(async () => answers[Math.min(call++, answers.length - 1)]);
}

describe('withStepUp', () => {
  it('runs the action once and never asks when no step-up is needed', async () => {
    const action = actionAnswering(OK);
    const confirm = vi.fn(async () => true);
    const outcome = await withStepUp(action, errorsOf, confirm);
    expect(outcome).toEqual({ kind: 'done', result: OK, steppedUp: false });
    expect(action).toHaveBeenCalledTimes(1);
    expect(confirm).not.toHaveBeenCalled();
  });

  it('asks once, then retries once after the user confirmed', async () => {
    const action = actionAnswering(STEP_UP, OK);
    const confirm = vi.fn(async () => true);
    const outcome = await withStepUp(action, errorsOf, confirm);
    expect(outcome).toEqual({ kind: 'done', result: OK, steppedUp: true });
    expect(action).toHaveBeenCalledTimes(2);
    expect(confirm).toHaveBeenCalledTimes(1);
  });

  it('does not retry when the user closes the confirmation', async () => {
    const action = actionAnswering(STEP_UP, OK);
    const outcome = await withStepUp(action, errorsOf, async () => false);
    expect(outcome).toEqual({ kind: 'cancelled', result: STEP_UP });
    expect(action).toHaveBeenCalledTimes(1);
  });

  it('never loops: a second STEP_UP_REQUIRED is returned as it is', async () => {
    const action = actionAnswering(STEP_UP, STEP_UP, OK);
    const confirm = vi.fn(async () => true);
    const outcome = await withStepUp(action, errorsOf, confirm);
    expect(outcome).toEqual({ kind: 'done', result: STEP_UP, steppedUp: true });
    expect(action).toHaveBeenCalledTimes(2);
    expect(confirm).toHaveBeenCalledTimes(1);
  });

  it('passes other errors through without asking', async () => {
    const invalid = { ok: false, errors: [{ code: 'INVALID_CREDENTIALS' }] };
    const confirm = vi.fn(async () => true);
    const outcome = await withStepUp(actionAnswering(invalid), errorsOf, confirm);
    expect(outcome).toEqual({ kind: 'done', result: invalid, steppedUp: false });
    expect(confirm).not.toHaveBeenCalled();
  });

  it('lets a failed request (network) reach the caller', async () => {
    const action = vi.fn(async (): Promise<Result> => {
      throw new Error('offline');
    });
    await expect(withStepUp(action, errorsOf, async () => true)).rejects.toThrow('offline');
  });

  it('reads errors from results that may be missing', async () => {
    const outcome = await withStepUp(async () => null as Result | null, (r) => r?.errors, async () => true);
    expect(outcome).toEqual({ kind: 'done', result: null, steppedUp: false });
  });
});

describe('needsStepUp', () => {
  it('is true only for STEP_UP_REQUIRED', () => {
    expect(needsStepUp([{ code: 'STEP_UP_REQUIRED' }])).toBe(true);
    expect(needsStepUp([{ code: 'RATE_LIMITED' }, { code: 'STEP_UP_REQUIRED' }])).toBe(true);
    expect(needsStepUp([{ code: 'NOT_FOUND' }])).toBe(false);
    expect(needsStepUp([])).toBe(false);
    expect(needsStepUp(undefined)).toBe(false);
  });
});

describe('StepUpGate', () => {
  it('shares one confirmation between actions that ask at once', async () => {
    let answer: (value: boolean) => void = () => undefined;
    const ask = vi.fn(() => new Promise<boolean>((resolve) => (answer = resolve)));
    const gate = new StepUpGate(ask);
    const first = gate.confirm();
    const second = gate.confirm();
    answer(true);
    expect(await first).toBe(true);
    expect(await second).toBe(true);
    expect(ask).toHaveBeenCalledTimes(1);
  });

  it('asks again for a later action', async () => {
    const ask = vi.fn(async () => false);
    const gate = new StepUpGate(ask);
    expect(await gate.confirm()).toBe(false);
    expect(await gate.confirm()).toBe(false);
    expect(ask).toHaveBeenCalledTimes(2);
  });

  it('retries two actions that needed it, with one confirmation', async () => {
    const ask = vi.fn(async () => true);
    const gate = new StepUpGate(ask);
    const a = actionAnswering(STEP_UP, OK);
    const b = actionAnswering(STEP_UP, OK);
    const [ra, rb] = await Promise.all([
      withStepUp(a, errorsOf, () => gate.confirm()),
      withStepUp(b, errorsOf, () => gate.confirm()),
    ]);
    expect(ra.result).toEqual(OK);
    expect(rb.result).toEqual(OK);
    expect(ask).toHaveBeenCalledTimes(1);
  });
});

describe('withProof (confirmTotpEnrollment: the proof in the same call)', () => {
  type Proof = { password?: string; recoveryCode?: string };
  type Confirm = { recoveryCodes: string[] | null; errors: { code: string; field: string | null; message: string }[] };
  const REQUIRED: Confirm = {
    recoveryCodes: null,
    errors: [{ code: 'REAUTHENTICATION_REQUIRED', field: 'proof', message: 'Confirm it is you.' }],
  };
  const WRONG_PASSWORD: Confirm = {
    recoveryCodes: null,
    errors: [{ code: 'INVALID_CREDENTIALS', field: 'password', message: 'The password is not correct.' }],
  };
  const WRONG_CODE: Confirm = {
    recoveryCodes: null,
    errors: [{ code: 'INVALID_SECOND_FACTOR', field: 'code', message: 'The code is wrong.' }],
  };
  const ENABLED: Confirm = { recoveryCodes: ['aaaa-bbbb'], errors: [] };
  const own = { fields: ['code'], codes: ['TOTP_NOT_STARTED'] };
  const problemOf = (r: Confirm) => {
    const refused = proofErrors(r.errors, own);
    return refused.length ? refused.map((e) => e.message).join(' ') : null;
  };

  /** The server: answers by the proof sent, the code (123456) kept across calls. */
  function confirmServer(answers: (proof: Proof | null) => Confirm) {
    return vi.fn(async (proof: Proof | null) => answers(proof));
  }

  it('sends once and never asks when the session is fresh', async () => {
    const action = confirmServer(() => ENABLED);
    const ask = vi.fn(async () => true);
    const outcome = await withProof(action, (r) => r.errors, problemOf, ask);
    expect(outcome).toEqual({ kind: 'done', result: ENABLED, steppedUp: false });
    expect(action).toHaveBeenCalledWith(null);
    expect(ask).not.toHaveBeenCalled();
  });

  it('asks for proof, then resends the same action with it', async () => {
    const action = confirmServer((proof) => (proof?.password === 'right' ? ENABLED : REQUIRED));
    const shown: (string | null)[] = [];
    const outcome = await withProof(action, (r) => r.errors, problemOf, async (send) => {
      shown.push(await send({ password: 'right' }));
      return true;
    });
    expect(outcome).toEqual({ kind: 'done', result: ENABLED, steppedUp: true });
    expect(shown).toEqual([null]);
    expect(action.mock.calls).toEqual([[null], [{ password: 'right' }]]);
  });

  it('keeps the dialog on a refused proof, and finishes with the next one', async () => {
    const action = confirmServer((proof) =>
      proof === null ? REQUIRED : proof.password === 'right' ? ENABLED : WRONG_PASSWORD,
    );
    const shown: (string | null)[] = [];
    const outcome = await withProof(action, (r) => r.errors, problemOf, async (send) => {
      shown.push(await send({ password: 'wrong' }));
      shown.push(await send({ password: 'right' }));
      return true;
    });
    expect(shown).toEqual(['The password is not correct.', null]);
    expect(outcome).toEqual({ kind: 'done', result: ENABLED, steppedUp: true });
    expect(action).toHaveBeenCalledTimes(3);
  });

  it('closes the dialog on an accepted proof even when the code itself is wrong', async () => {
    const action = confirmServer((proof) => (proof === null ? REQUIRED : WRONG_CODE));
    const shown: (string | null)[] = [];
    const outcome = await withProof(action, (r) => r.errors, problemOf, async (send) => {
      shown.push(await send({ recoveryCode: 'cccc-dddd' }));
      return true;
    });
    expect(shown).toEqual([null]);
    expect(outcome).toEqual({ kind: 'done', result: WRONG_CODE, steppedUp: true });
  });

  it('answers the first result when the user cancels, sending nothing more', async () => {
    const action = confirmServer(() => REQUIRED);
    const outcome = await withProof(action, (r) => r.errors, problemOf, async () => false);
    expect(outcome).toEqual({ kind: 'cancelled', result: REQUIRED });
    expect(action).toHaveBeenCalledTimes(1);
  });

  it('treats a refused proof then a cancel as cancelled', async () => {
    const action = confirmServer((proof) => (proof === null ? REQUIRED : WRONG_PASSWORD));
    const outcome = await withProof(action, (r) => r.errors, problemOf, async (send) => {
      await send({ password: 'wrong' });
      return false;
    });
    expect(outcome).toEqual({ kind: 'cancelled', result: REQUIRED });
  });

  it('shows a second REAUTHENTICATION_REQUIRED (an empty proof) in the dialog', async () => {
    const action = confirmServer(() => REQUIRED);
    let shown: string | null = null;
    await withProof(action, (r) => r.errors, problemOf, async (send) => {
      shown = await send({});
      return false;
    });
    expect(shown).toBe('Confirm it is you.');
  });

  it('needsProof is true only for REAUTHENTICATION_REQUIRED', () => {
    expect(needsProof(REQUIRED.errors)).toBe(true);
    expect(needsProof([{ code: 'STEP_UP_REQUIRED' }])).toBe(false);
    expect(needsProof(undefined)).toBe(false);
  });
});
