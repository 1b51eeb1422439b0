import type { Logger } from 'pino';

/**
 * A piece of work a module runs in the background of a server (a sweeper, a publisher, a worker).
 * Each module exports a factory of its jobs through its index.ts; server.ts puts them in one
 * `BackgroundJobs` list.
 */
export interface BackgroundJob {
  /** For the logs and for errors: what runs ("order expiry sweep"). */
  readonly name: string;
  start(): Promise<void> | void;
  /** Stops the timers and waits for the run in flight; a second call is harmless. */
  stop(): Promise<void>;
  /** One run now (tests call it instead of waiting for the timer). */
  runOnce?(): Promise<void>;
}

/** What a module's job factory hands back: its jobs in start order, plus the handles it lets tests reach. */
export type ModuleJobs<Handles extends object = object> = Handles & { readonly jobs: readonly BackgroundJob[] };

/** A module's component that starts and stops, registered as a job under `name`. */
export function jobOf(name: string, component: Pick<BackgroundJob, 'start' | 'stop'>, runOnce?: () => Promise<void>): BackgroundJob {
  return {
    name,
    start: () => component.start(),
    stop: () => component.stop(),
    ...(runOnce ? { runOnce } : {}),
  };
}

/**
 * The server's background jobs: started one after another in the order given, stopped in the
 * reverse order, so a job stops before the jobs that were running when it started (a producer of
 * outbox events before the dispatcher that drains them). A job that fails to start stops the ones
 * already started (itself included: a job's stop must be harmless when its start did not finish) and
 * fails the start; a job that fails to stop is logged and the others still stop.
 */
export class BackgroundJobs {
  private readonly started: BackgroundJob[] = [];
  private starting: Promise<void> | undefined;

  constructor(
    private readonly jobs: readonly BackgroundJob[],
    private readonly logger: Logger,
  ) {
    const names = jobs.map((j) => j.name);
    const repeated = names.find((n, i) => names.indexOf(n) !== i);
    if (repeated !== undefined) throw new Error(`two background jobs are named "${repeated}"`);
  }

  /** The names, in start order. */
  get names(): string[] {
    return this.jobs.map((j) => j.name);
  }

  start(): Promise<void> {
    this.starting ??= this.startAll();
    return this.starting;
  }

  /** Stops the started jobs, last started first; resolves once every one has stopped or failed to. */
  async stop(): Promise<void> {
    await this.starting?.catch(() => undefined);
    await this.stopStarted();
  }

  private async startAll(): Promise<void> {
    for (const job of this.jobs) {
      // Counted as started before its start resolves: a job that fails half-way is stopped too.
      this.started.push(job);
      try {
        await job.start();
      } catch (err) {
        // Nothing keeps running behind a failed start.
        await this.stopStarted();
        throw new Error(`background job "${job.name}" failed to start: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
    }
  }

  private async stopStarted(): Promise<void> {
    while (this.started.length > 0) {
      const job = this.started.pop() as BackgroundJob;
      try {
        await job.stop();
      } catch (err) {
        this.logger.error({ err, job: job.name }, 'background job failed to stop');
      }
    }
  }
}
