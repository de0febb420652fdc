/**
 * The simulated Databricks' clock: real time plus an offset that can be moved forward, so what
 * depends on time (OAuth token and code lifetimes, created_at / deleted_at stamps) can be tried
 * without waiting. Databricks and the workspace router read `now` from it.
 */
export class Clock {
  private offsetMs = 0;

  /** The simulated time. */
  readonly now = (): Date => new Date(Date.now() + this.offsetMs);

  get offset(): number {
    return this.offsetMs;
  }

  /** Moves the clock forward by ms (never backward: issued tokens and stamps must stay in the past). */
  advance(ms: number): Date {
    if (!Number.isFinite(ms) || ms < 0)
      throw new RangeError(`Failed to advance the clock by ${ms} ms: expected a whole number of milliseconds >= 0.`);
    this.offsetMs += Math.round(ms);
    return this.now();
  }

  /** Back to real time. */
  reset(): Date {
    this.offsetMs = 0;
    return this.now();
  }
}
