import type { Logger } from 'pino';
import type { BackgroundJob } from './background-jobs';

/**
 * Runs `work` every `intervalMs` in this process: never two runs at once (a call during a run
 * joins it), a failure is logged and retried at the next tick, the timer never keeps the process
 * alive, and `stop` waits for the run in flight. State lives in the database, not here, so several
 * instances may run the same loop.
 */
export class BackgroundLoop implements BackgroundJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

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
    if (this.timer) return;
    this.timer = setInterval(() => void this.runOnce(), this.intervalMs);
    this.timer.unref();
  }

  /** One run now (tests call it instead of waiting for the timer). */
  runOnce(): Promise<void> {
    this.running ??= this.work()
      .then(() => undefined)
      .catch((err: unknown) => this.logger.warn({ err }, `${this.what} failed; will retry`))
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
