import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { SMTPServer } from 'smtp-server';
import { call, type RunningService } from './service';

/**
 * An SMTP server on loopback that either hangs (accepts the connection and never greets: every
 * attempt runs into MAIL_TIMEOUT_MS) or answers every message 250, counting them.
 */
async function startBenchSmtp(): Promise<{ url: string; hang(): void; answer(): void; accepted(): number; stop(): Promise<void> }> {
  let hanging = true;
  let accepted = 0;
  const held = new Set<() => void>();
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    closeTimeout: 100,
    onConnect: (_session, callback) => {
      if (!hanging) return callback();
      held.add(() => callback());
    },
    onData: (stream, _session, callback) => {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        accepted += 1;
        callback();
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    hang: () => {
      hanging = true;
    },
    answer: () => {
      hanging = false;
      for (const release of held) release();
      held.clear();
    },
    accepted: () => accepted,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Mail settings of the "on" side: a short retry schedule, so that the backlog drains within the bench. */
function mailOnEnv(smtpUrl: string): Record<string, string> {
  return {
    SMTP_URL: smtpUrl,
    PUBLIC_URL: 'http://bench.quickstock.test',
    MAIL_TIMEOUT_MS: '2000',
    MAIL_POLL_MS: '200',
    MAIL_RETRY_SCHEDULE_MS: '1000,2000,4000,8000,16000,32000',
  };
}

/**
 * Pays the oldest unpaid orders (manual payments, as staff) at a steady pace while the load runs:
 * each payment is an `order_confirmed` mail for the fan-out and the worker. The same pace on both sides.
 */
function payWhileRunning(base: string, admin: string, perSecond: number): { stop(): Promise<number> } {
  let stopped = false;
  let paid = 0;
  const loop = (async () => {
    while (!stopped) {
      const tick = Date.now();
      const page = await call(base, 'GET', `/api/v1/orders?status=pending_payment&limit=${Math.max(1, Math.round(perSecond / 4))}`, admin);
      const answers = await Promise.all(
        ((page.body?.items ?? []) as { id: string }[]).map((order) => call(base, 'POST', `/api/v1/orders/${order.id}/payments`, admin, { provider: 'manual' })),
      );
      paid += answers.filter((res) => res.status === 201).length;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, 250 - (Date.now() - tick))));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop.catch(() => undefined);
      return paid;
    },
  };
}

/**
 * Orders per second with mail off (no SMTP_URL: every mail recorded skipped) against mail on while
 * the SMTP server hangs (every send runs into its timeout, the backlog grows), alternating off / on,
 * each on a service started for it on the same database; then the server answers and the backlog
 * drains. Issue 26: SMTP slow or down never slows an API request (on/off ≥ 0.90).
 */
export async function mailOverhead<F extends { rps: number }>(
  databaseUrl: string,
  admin: string,
  rounds: number,
  start: (env: Record<string, string>) => Promise<RunningService>,
  runOrders: (service: RunningService, label: string) => Promise<F>,
): Promise<{ off: F[]; on: F[]; mailed: number; drainSeconds: number; stillPending: number }> {
  const smtp = await startBenchSmtp();
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  const pending = async () => (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM email_messages WHERE status = 'pending'")).rows[0]?.n ?? 0;
  const off: F[] = [];
  const on: F[] = [];
  let mailed = 0;
  let last: RunningService | null = null;
  try {
    for (let round = 0; round < rounds; round += 1) {
      for (const side of ['off', 'on'] as const) {
        await last?.stop();
        last = await start(side === 'on' ? mailOnEnv(smtp.url) : {});
        smtp.hang();
        const payer = payWhileRunning(last.baseUrl, admin, 20);
        const figures = await runOrders(last, side === 'on' ? 'mail on, SMTP hanging' : 'mail off');
        const paid = await payer.stop();
        if (side === 'on') mailed += paid;
        (side === 'on' ? on : off).push(figures);
      }
    }
    // The last service has mail on: the server answers now, and the time until nothing is pending is the drain.
    smtp.answer();
    const started = Date.now();
    let left = await pending();
    while (left > 0 && Date.now() - started < 180_000) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      left = await pending();
    }
    return { off, on, mailed, drainSeconds: (Date.now() - started) / 1000, stillPending: left };
  } finally {
    await last?.stop();
    await db.end();
    await smtp.stop();
  }
}
