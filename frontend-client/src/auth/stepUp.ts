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
