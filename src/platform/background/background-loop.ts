import type { Logger } from 'pino';
import type { BackgroundJob } from './background-jobs';

/**
 * Runs `work` every `intervalMs` in this process: never two runs at once (a call during a run
 * joins it), a failure is logged and retried at the next tick, the timer never keeps the process
 * alive, and `stop` waits for the run in flight. State lives in the database, not here, so several
 * instances may run the same loop.
 *
 * `wake()` is for work that must not miss a change (a commit that wrote events, a delivery that
 * became due): called while idle it runs `work` now; called during a run, it schedules exactly one
 * more run right after that one, however many wakes arrive meanwhile (they coalesce), whether the
 * run succeeds or fails. Either way its promise resolves once a run that started after the call is
 * over, so a change made before `wake()` is always seen without waiting for the next tick. The
 * work itself may call `wake()` to ask for another run (never await it there: it resolves only
 * after that run). After `stop()` no further run is scheduled.
 */
export class BackgroundLoop implements BackgroundJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  /** A wake arrived during the current run. */
  private woken = false;
  private stopped = false;

  constructor(
    private readonly what: string,
    private readonly intervalMs: number,
    private readonly work: () => Promise<unknown>,
    private readonly logger: Logger,
  ) {}

  get name(): string {
    return this.what;
  }

  start(): void {
    this.stopped = false;
    if (this.timer) return;
    this.timer = setInterval(() => void this.runOnce(), this.intervalMs);
    this.timer.unref();
  }

  /** One run now, or the run in flight (tests call it instead of waiting for the timer). */
  runOnce(): Promise<void> {
    this.running ??= this.runWhileWoken();
    return this.running;
  }

  /** A run that starts after this call: now when idle, else exactly one more after the current one. */
  wake(): Promise<void> {
    if (this.running) this.woken = true;
    return this.runOnce();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private async runWhileWoken(): Promise<void> {
    // `running` is set before the work starts, so a wake() from the work's first synchronous steps counts as during the run.
    await Promise.resolve();
    try {
      do {
        this.woken = false;
        try {
          await this.work();
        } catch (err) {
          this.logger.warn({ err }, `${this.what} failed; will retry`);
        }
      } while (this.woken && !this.stopped);
    } finally {
      // In the same step as the last check of `woken`: a wake from now on starts a new run.
      this.running = undefined;
      this.woken = false;
    }
  }
}
