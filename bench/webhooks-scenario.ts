import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { call } from './service';

/** A fast receiver: answers 204 at once, counts what it got. */
export async function startFastReceiver(): Promise<{ url: string; received: () => number; stop(): Promise<void> }> {
  let count = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      count += 1;
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received: () => count,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Order throughput with 3 enabled webhook subscriptions (all order events, a fast receiver) against
 * the same service with them disabled, alternating A B A B: the fan-out and the deliveries must not
 * cost more than 10 % of the orders. Needs the service started with WEBHOOK_ALLOWED_CIDRS=127.0.0.1/32.
 */
export async function webhookOverhead<F extends { rps: number }>(
  base: string,
  admin: string,
  rounds: number,
  runOrders: (label: string) => Promise<F>,
): Promise<{ without: F[]; with: F[]; delivered: number }> {
  const receiver = await startFastReceiver();
  const ids: string[] = [];
  try {
    for (let i = 0; i < 3; i += 1) {
      const res = await call(base, 'POST', '/api/v1/webhook-subscriptions', admin, {
        url: receiver.url,
        eventTypes: ['order.created', 'order.status_changed', 'payment.updated', 'inventory.low_stock'],
        description: `bench ${i}`,
      });
      if (res.status !== 201) throw new Error(`subscribing failed: ${res.status} ${JSON.stringify(res.body)}`);
      ids.push(res.body.id as string);
    }
    const toggle = (enabled: boolean) => Promise.all(ids.map((id) => call(base, 'PATCH', `/api/v1/webhook-subscriptions/${id}`, admin, { enabled })));
    const without: F[] = [];
    const withHooks: F[] = [];
    for (let round = 0; round < rounds; round += 1) {
      await toggle(false);
      without.push(await runOrders('no subscriptions'));
      await toggle(true);
      withHooks.push(await runOrders('3 subscriptions'));
    }
    // Let the worker drain what the last run queued, so the count says they were all delivered.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    return { without, with: withHooks, delivered: receiver.received() };
  } finally {
    await Promise.all(ids.map((id) => call(base, 'DELETE', `/api/v1/webhook-subscriptions/${id}`, admin)));
    await receiver.stop();
  }
}
