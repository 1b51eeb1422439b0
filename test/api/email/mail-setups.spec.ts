import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { call } from '../../../test-kit/service-process';
import { openShop } from '../../faults/fault-service';
import { waitFor } from '../../support/database';
import { startSecondService, startServiceProcess, type FreshService } from '../../support/services';
import { startTestSmtpServer, type TestSmtpServer } from '../../support/smtp';
import { client } from '../../support/client';
import { ok } from '../../support/api';
import { mailReaching, mailRows, openMailShop, receivedFor } from './mail-shop';

/** Places an order in a child service as its shop's customer and records a manual payment: the order_confirmed mail's cue. */
async function paidOrderIn(service: FreshService, sku: string): Promise<{ orderId: string; number: string; buyer: string }> {
  const shop = await openShop(service.baseUrl, sku);
  const order = await shop.order();
  expect(order.status, JSON.stringify(order.body)).to.equal(201);
  const paid = await call(service.baseUrl, 'POST', `/api/v1/orders/${order.body.id}/payments`, shop.admin, { provider: 'manual' });
  expect(paid.status, JSON.stringify(paid.body)).to.equal(201);
  return { orderId: order.body.id as string, number: order.body.number as string, buyer: `buyer-${sku.toLowerCase()}@example.test` };
}

async function storedMail(service: FreshService, orderId: string, status: string): Promise<Record<string, unknown>> {
  return waitFor(
    async () =>
      (await service.db.query("SELECT * FROM email_messages WHERE order_id = $1 AND template = 'order_confirmed' AND status = $2", [orderId, status])).rows[0],
    15_000,
    `the order's mail ${status}`,
  );
}

/**
 * Mail settings that need a service of their own (a child process on a fresh database, so that no
 * SMTP-configured instance shares its outbox): no SMTP_URL at all, and a server that requires AUTH.
 * Then two instances on the suite's database: one mail per event.
 */
describe('email: configurations and instances', function () {
  this.timeout(120_000);

  describe('without SMTP_URL', () => {
    let service: FreshService;
    before(async () => {
      service = await startServiceProcess();
    });
    after(() => service?.stop());

    it('records every mail as skipped (mail-not-configured) and sends nothing', async () => {
      const sku = `NOSMTP-${randomUUID().slice(0, 8)}`;
      const { orderId, buyer } = await paidOrderIn(service, sku);
      const row = await storedMail(service, orderId, 'skipped');
      expect(row).to.include({ skip_reason: 'mail-not-configured', attempts: 0, recipient: buyer, last_reply: null });
      expect(service.logs.some((l) => String(l['msg']).startsWith('mail: SMTP_URL not set'))).to.equal(true);
      expect(receivedFor(buyer)).to.deep.equal([]);
    });
  });

  describe('with an SMTP server that requires AUTH, and MAIL_FROM', () => {
    const password = `pw-${randomUUID()}`;
    let smtp: TestSmtpServer;
    let service: FreshService;
    before(async () => {
      smtp = await startTestSmtpServer({ user: 'mailer@quickstock.example', password });
      service = await startServiceProcess({
        env: {
          SMTP_URL: `smtp://${encodeURIComponent('mailer@quickstock.example')}:${encodeURIComponent(password)}@127.0.0.1:${smtp.port}`,
          PUBLIC_URL: 'https://shop.quickstock.example',
          MAIL_FROM: 'QuickStock Ordini <ordini@quickstock.example>',
          MAIL_TIMEOUT_MS: '2000',
          MAIL_POLL_MS: '200',
        },
      });
    });
    after(async () => {
      await service?.stop();
      await smtp?.stop();
    });

    it('signs in, sends From MAIL_FROM with a Message-ID of PUBLIC_URL’s host, and logs host:port, never the password', async () => {
      const { orderId, number, buyer } = await paidOrderIn(service, `AUTH-${randomUUID().slice(0, 8)}`);
      const [mail] = await smtp.waitFor(1, (m) => m.envelopeTo.includes(buyer));
      expect(mail!.authUser).to.equal('mailer@quickstock.example');
      expect(mail!.parsed.from?.value[0]).to.deep.include({ address: 'ordini@quickstock.example', name: 'QuickStock Ordini' });
      expect(mail!.parsed.subject).to.include(number);
      expect(mail!.parsed.messageId).to.match(/^<[0-9a-f-]{36}@shop\.quickstock\.example>$/);
      const row = await storedMail(service, orderId, 'sent');
      expect(row['message_id']).to.equal(mail!.parsed.messageId);
      const logs = JSON.stringify(service.logs);
      expect(logs).to.include(`127.0.0.1:${smtp.port}`);
      expect(logs).not.to.include(password);
      expect(logs).not.to.include(encodeURIComponent(password));
    });
  });

  describe('two instances on one database', () => {
    it('sends one mail per event, whichever instance records the change', async () => {
      const second = await startSecondService();
      try {
        const shop = await openMailShop();
        const orders = await Promise.all(Array.from({ length: 6 }, () => shop.order()));
        await Promise.all(
          orders.map(async (order, i) => {
            const api = i % 2 === 0 ? client(shop.op.token) : client(shop.op.token, second.baseUrl);
            ok(await api.POST('/api/v1/orders/{id}/payments', { params: { path: { id: order.id } }, body: { provider: 'manual' } }));
          }),
        );
        for (const order of orders) await mailReaching(order.id, 'order_confirmed');
        // Both instances' fan-outs and workers have had time to make a second mail, if they could.
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        for (const order of orders) {
          expect((await mailRows({ orderId: order.id })).map((r) => r.template)).to.deep.equal(['order_confirmed']);
          expect(receivedFor(shop.buyer.email, order.number), order.number).to.have.length(1);
        }
      } finally {
        await second.stop();
      }
    });
  });
});
