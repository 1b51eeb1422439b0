import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { call } from './service';

/**
 * A self-signed certificate for 127.0.0.1: production sends webhooks over https: only, so the bench's
 * receiver is https and the service trusts this certificate through NODE_EXTRA_CA_CERTS.
 */
export function receiverCertificate(): { certFile: string; keyFile: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'quickstock-bench-tls-'));
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return { certFile, keyFile };
}

/** A fast receiver: answers 204 at once, counts what it got. */
export async function startFastReceiver(tls: { certFile: string; keyFile: string }): Promise<{ url: string; received: () => number; stop(): Promise<void> }> {
  let count = 0;
  const server = https.createServer({ cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) }, (req, res) => {
    req.resume();
    req.on('end', () => {
      count += 1;
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
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
 * cost more than 10 % of the orders. Needs the service started with WEBHOOK_ALLOWED_CIDRS=127.0.0.1/32
 * and NODE_EXTRA_CA_CERTS naming `tls.certFile`.
 */
export async function webhookOverhead<F extends { rps: number }>(
  base: string,
  admin: string,
  tls: { certFile: string; keyFile: string },
  rounds: number,
  runOrders: (label: string) => Promise<F>,
): Promise<{ without: F[]; with: F[]; delivered: number; drainSeconds: number }> {
  const receiver = await startFastReceiver(tls);
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
    // How long the worker needs after the load to deliver what it queued (it must keep up, not defer).
    const loadEnded = Date.now();
    let last = -1;
    while (receiver.received() !== last && Date.now() - loadEnded < 120_000) {
      last = receiver.received();
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
    return { without, with: withHooks, delivered: receiver.received(), drainSeconds: Math.max(0, (Date.now() - loadEnded - 2_000) / 1000) };
  } finally {
    await Promise.all(ids.map((id) => call(base, 'DELETE', `/api/v1/webhook-subscriptions/${id}`, admin)));
    await receiver.stop();
  }
}
