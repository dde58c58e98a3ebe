/**
 * Step-up: sensitive mutations (changePassword, logoutAll, startTotpEnrollment, disableTotp,
 * regenerateRecoveryCodes, startPasskeyRegistration, removePasskey) answer STEP_UP_REQUIRED
 * unless this session authenticated recently. The client then asks the user to confirm it
 * is them (`reauthenticate`) and runs the action again, once: a second STEP_UP_REQUIRED is
 * shown as it is rather than asking in a loop.
 */

export interface StepUpErrorLike {
  code: string;
}

export type StepUpOutcome<T> =
  /** The action's result (after a step-up when one was needed). */
  | { kind: 'done'; result: T; steppedUp: boolean }
  /** The user closed the confirmation: the first result, with its STEP_UP_REQUIRED. */
  | { kind: 'cancelled'; result: T };

/**
 * Runs `action`; when its errors ask for a step-up, awaits `confirm()` (true once the user
 * re-authenticated, false when they gave up) and runs `action` once more.
 */
export async function withStepUp<T>(
  action: () => Promise<T>,
  errorsOf: (result: T) => readonly StepUpErrorLike[] | null | undefined,
  confirm: () => Promise<boolean>,
): Promise<StepUpOutcome<T>> {
  const first = await action();
  if (!needsStepUp(errorsOf(first))) return { kind: 'done', result: first, steppedUp: false };
  const confirmed = await confirm();
  if (!confirmed) return { kind: 'cancelled', result: first };
  return { kind: 'done', result: await action(), steppedUp: true };
}

export function needsStepUp(errors: readonly StepUpErrorLike[] | null | undefined): boolean {
  return (errors ?? []).some((error) => error.code === 'STEP_UP_REQUIRED');
}

/**
 * One confirmation at a time: when two actions ask at once (two buttons, a double click),
 * they share the dialog and its answer instead of stacking two.
 */
export class StepUpGate {
  private pending: Promise<boolean> | null = null;

  constructor(private readonly ask: () => Promise<boolean>) {}

  confirm(): Promise<boolean> {
    if (!this.pending) {
      this.pending = this.ask().finally(() => {
        this.pending = null;
      });
    }
    return this.pending;
  }
}

/**
 * Proof in the same call: a few actions (confirmTotpEnrollment) do not take a separate
 * `reauthenticate` but answer REAUTHENTICATION_REQUIRED and want the proof sent with them.
 * Runs `action(null)`; when it asks for proof, `ask(send)` opens the confirmation, where each
 * proof the user gives is sent with the same action again. `send` answers the problem to show
 * in the confirmation (the proof was refused: the user may try another), or null once the
 * proof was accepted, whatever else the result says (a wrong authenticator code belongs to
 * the page, not to the confirmation). `ask` resolves true once a proof was accepted, false
 * when the user gave up.
 */
export async function withProof<T, P>(
  action: (proof: P | null) => Promise<T>,
  errorsOf: (result: T) => readonly StepUpErrorLike[] | null | undefined,
  proofProblem: (result: T) => string | null,
  ask: (send: (proof: P) => Promise<string | null>) => Promise<boolean>,
): Promise<StepUpOutcome<T>> {
  const first = await action(null);
  if (!needsProof(errorsOf(first))) return { kind: 'done', result: first, steppedUp: false };
  let accepted: { result: T } | null = null;
  const proved = await ask(async (proof) => {
    const result = await action(proof);
    const problem = proofProblem(result);
    if (problem !== null) return problem;
    accepted = { result };
    return null;
  });
  const last = accepted as { result: T } | null;
  if (!proved || last === null) return { kind: 'cancelled', result: first };
  return { kind: 'done', result: last.result, steppedUp: true };
}

export function needsProof(errors: readonly StepUpErrorLike[] | null | undefined): boolean {
  return (errors ?? []).some((error) => error.code === 'REAUTHENTICATION_REQUIRED');
}

/**
 * The errors of a result sent with proof that are about the proof (so it was refused): every
 * error not on the action's own fields or codes. Empty: the proof was accepted.
 */
export function proofErrors<E extends StepUpErrorLike & { field?: string | null }>(
  errors: readonly E[] | null | undefined,
  own: { fields: readonly string[]; codes: readonly string[] },
): E[] {
  return (errors ?? []).filter(
    (error) => !(error.field && own.fields.includes(error.field)) && !own.codes.includes(error.code),
  );
}
