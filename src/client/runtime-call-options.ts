// What every SDK method accepts besides its arguments, and the one place that
// makes a user's deadline safe to hand to the deadline middleware.

export interface RuntimeCallOptions {
  /** Aborting rejects the call with an AbortError and cancels the daemon's work. */
  signal?: AbortSignal;
  /**
   * A Date is an absolute deadline; a number is milliseconds from now. When
   * it passes, the call (including any retries) is cancelled on the daemon
   * and rejects with a ClientError of code DEADLINE_EXCEEDED (see
   * isDeadlineExceeded). A deadline already past fails at once; Infinity, or
   * one further away than setTimeout can count (about 24.8 days), means none.
   */
  deadline?: Date | number;
}

// setTimeout fires at once for larger delays, which would turn a far deadline
// into an immediate DEADLINE_EXCEEDED.
const maxTimerMs = 2 ** 31 - 1;

/** The deadline as a relative number of ms for the middleware, or undefined for none. */
export function normalizeDeadline(deadline: Date | number | undefined): number | undefined {
  if (deadline === undefined) return undefined;
  const ms = deadline instanceof Date ? deadline.getTime() - Date.now() : deadline;
  if (Number.isNaN(ms)) throw new TypeError(`invalid deadline: ${String(deadline)}`);
  if (ms > maxTimerMs) return undefined;
  return Math.max(0, ms);
}
