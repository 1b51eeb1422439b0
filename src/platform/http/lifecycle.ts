import type { NextFunction, Request, Response } from 'express';

/**
 * Whether the server is draining before it stops. From the moment shutdown begins, readiness
 * answers 503 (load balancers stop sending) and every response carries `Connection: close` (each
 * keep-alive client moves elsewhere after its current answer), while the port stays open for the
 * grace period, so a connection that arrives meanwhile is still served rather than reset.
 */
export class Lifecycle {
  private drainingSince: number | null = null;

  get draining(): boolean {
    return this.drainingSince !== null;
  }

  startDraining(): void {
    this.drainingSince ??= Date.now();
  }

  /** Express middleware: asks the client to close the connection once answered while draining. */
  readonly closeWhileDraining = (_req: Request, res: Response, next: NextFunction): void => {
    if (this.drainingSince !== null) res.setHeader('Connection', 'close');
    next();
  };

  /** A readiness check that fails while draining. */
  readonly acceptingCheck = async (): Promise<void> => {
    if (this.drainingSince !== null) throw new Error('shutting down');
  };
}
