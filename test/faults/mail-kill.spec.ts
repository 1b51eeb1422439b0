import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../../test-kit/scratch-database';
import { call, type RunningService } from '../../test-kit/service-process';
import { openShop, type Shop } from './fault-service';
import { startServiceProcess } from '../support/services';
import { waitFor } from '../support/database';
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtp';

const ORDERS = 5;

/**
 * kill -9 of the service while mails are out (the SMTP server hanging on them), a restart on the
 * same database, the server answering again: every mail is sent after the restart — at least once
 * (a mail the server had taken before the kill may come twice, with the same Message-ID), never lost.
 */
describe('mail survives kill -9 (fault suite)', function () {
  this.timeout(120_000);
  let database: TestDatabase;
  let dataDir: string;
  let smtp: TestSmtpServer;
  let db: Client;
  let service: RunningService | undefined;
  const env = () => ({
    SMTP_URL: smtp.url,
    PUBLIC_URL: 'http://quickstock.test',
    MAIL_TIMEOUT_MS: '2000',
    MAIL_POLL_MS: '200',
    // Room for several timed-out attempts before the kill without the schedule running out.
    MAIL_RETRY_SCHEDULE_MS: '500,500,500,500,500,500,500,500',
  });

  before(async () => {
    database = await createTestDatabase();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'quickstock-mail-kill-'));
    smtp = await startTestSmtpServer();
    db = new Client({ connectionString: database.url });
    await db.connect();
  });
  after(async () => {
    if (service && service.process.exitCode === null && service.process.signalCode === null) await service.stop();
    await db.end();
    await smtp.stop();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function killHard(running: RunningService): Promise<void> {
    const exited = new Promise((resolve) => running.process.once('exit', resolve));
    running.process.kill('SIGKILL');
    await exited;
  }

  async function paidOrder(shop: Shop): Promise<string> {
    const order = await shop.order();
    expect(order.status, JSON.stringify(order.body)).to.equal(201);
    const paid = await call(service!.baseUrl, 'POST', `/api/v1/orders/${order.body.id}/payments`, shop.admin, { provider: 'manual' });
    expect(paid.status, JSON.stringify(paid.body)).to.equal(201);
    return order.body.id as string;
  }

  /** Waits until every order's confirmation is sent; answers the rows (message_id, attempts). */
  async function allSent(orderIds: string[]): Promise<{ order_id: string; message_id: string; attempts: number }[]> {
    return waitFor(
      async () => {
        const { rows } = await db.query(
          "SELECT order_id, message_id, attempts FROM email_messages WHERE order_id = ANY($1::uuid[]) AND template = 'order_confirmed' AND status = 'sent'",
          [orderIds],
        );
        return rows.length === orderIds.length && rows;
      },
      30_000,
      'every confirmation sent',
    );
  }

  it('sends after the restart every mail that was out when the service was killed, with its Message-ID', async () => {
    service = await startServiceProcess({ databaseUrl: database.url, dataDir, env: env() });
    const shop = await openShop(service.baseUrl, 'MAIL-KILL-1');
    smtp.hang();
    const orderIds: string[] = [];
    for (let i = 0; i < ORDERS; i += 1) orderIds.push(await paidOrder(shop));
    // Every mail recorded, and the worker has claimed what it may send at once (the pool's 3): those are out, hanging.
    await waitFor(
      async () => {
        const { rows } = await db.query(
          'SELECT count(*)::int AS recorded, count(*) FILTER (WHERE claimed_until > now())::int AS out FROM email_messages WHERE order_id = ANY($1::uuid[])',
          [orderIds],
        );
        return rows[0].recorded === ORDERS && rows[0].out === 3;
      },
      15_000,
      'every mail recorded, three of them out',
    );
    await killHard(service);

    service = await startServiceProcess({ databaseUrl: database.url, dataDir, env: env() });
    smtp.resume();
    const sent = await allSent(orderIds);
    for (const row of sent) {
      const received = smtp.received.filter((m) => m.parsed.messageId === row.message_id);
      expect(received.length, `mail of order ${row.order_id}`).to.be.at.least(1);
      // The kill recorded nothing of the attempts it cut: the attempt after the restart is counted.
      expect(row.attempts).to.be.at.least(1);
    }
  });

  it('sends the mail of a payment committed just before the kill (the fan-out may not have run)', async () => {
    const shop = await openShop(service!.baseUrl, 'MAIL-KILL-2');
    const orderId = await paidOrder(shop);
    await killHard(service!);
    service = await startServiceProcess({ databaseUrl: database.url, dataDir, env: env() });
    const [row] = await allSent([orderId]);
    expect(smtp.received.filter((m) => m.parsed.messageId === row!.message_id).length).to.be.at.least(1);
    const { rows } = await db.query('SELECT count(*)::int AS n FROM email_messages WHERE order_id = $1', [orderId]);
    expect(rows[0].n).to.equal(1);
    await service.stop();
  });
});
