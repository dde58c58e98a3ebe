import { describe, expect, it, vi } from 'vitest';
import { StepUpGate, needsStepUp, withStepUp } from './stepUp';

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
