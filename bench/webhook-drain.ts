/**
 * How fast the delivery worker alone works a backlog: 3 subscriptions on a fast https receiver,
 * BENCH_DRAIN_N queued deliveries each (inserted disabled, then enabled at once), no order load.
 * Prints deliveries per second and the server's CPU per delivery; BENCH_CPU_PROF=dir profiles it.
 *
 *   npx tsx bench/webhook-drain.ts
 */
import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import { createTestDatabase } from '../test-kit/scratch-database';
import { BENCH_ADMIN, call, startBuiltService } from './service';
import { receiverCertificate, startFastReceiver } from './webhooks-scenario';

const N = Number(process.env['BENCH_DRAIN_N'] ?? 2000);

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function main(): Promise<void> {
  const database = await createTestDatabase();
  const tls = receiverCertificate();
  const prof = process.env['BENCH_CPU_PROF'];
  const service = await startBuiltService(
    database.url,
    { WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32', NODE_EXTRA_CA_CERTS: tls.certFile },
    prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [],
  );
  const receiver = await startFastReceiver(tls);
  const db = new Client({ connectionString: database.url });
  await db.connect();
  try {
    const login = await call(service.baseUrl, 'POST', '/api/v1/auth/login', undefined, BENCH_ADMIN);
    const admin = login.body.accessToken as string;
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const res = await call(service.baseUrl, 'POST', '/api/v1/webhook-subscriptions', admin, { url: receiver.url, eventTypes: ['order.created'] });
      ids.push(res.body.id as string);
      await call(service.baseUrl, 'PATCH', `/api/v1/webhook-subscriptions/${res.body.id}`, admin, { enabled: false });
    }
    const body = JSON.stringify({
      type: 'order.created',
      timestamp: new Date().toISOString(),
      data: { orderId: 'x'.repeat(36), status: 'pending_payment', totalCents: 1290 },
      id: 'msg_x',
    });
    await db.query(
      `INSERT INTO webhook_deliveries (subscription_id, message_id, event_id, event_type, body, next_attempt_at)
       SELECT s, 'msg_' || md5(s::text || g), NULL, 'order.created', $2, now() FROM unnest($1::uuid[]) s, generate_series(1, $3) g`,
      [ids, body, N],
    );
    const cpu0 = cpuSeconds(service.process.pid!);
    const started = Date.now();
    await Promise.all(ids.map((id) => call(service.baseUrl, 'PATCH', `/api/v1/webhook-subscriptions/${id}`, admin, { enabled: true })));
    while (receiver.received() < 3 * N && Date.now() - started < 300_000) await new Promise((r) => setTimeout(r, 100));
    const seconds = (Date.now() - started) / 1000;
    const cpu = cpuSeconds(service.process.pid!) - cpu0;
    const pending = await db.query("SELECT count(*)::int AS n FROM webhook_deliveries WHERE status <> 'succeeded'");
    process.stdout.write(
      `${receiver.received()} deliveries in ${seconds.toFixed(1)} s: ${(receiver.received() / seconds).toFixed(0)}/s, server CPU ${((cpu * 1000) / receiver.received()).toFixed(2)} ms per delivery; not yet succeeded in the log: ${pending.rows[0].n}\n`,
    );
  } finally {
    await db.end();
    await service.stop();
    await receiver.stop();
    await database.drop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
