import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { asAdmin, createProduct, customer, ok, operator, placedOrder, problemOf, rawRequest, type Order, type Schemas } from '../../support/api';
import { client } from '../../support/client';
import { query } from '../../support/database';
import { seedEmail, seedOrderEmails } from '../../support/email-fixtures';
import { forgeValue } from '../../support/forged-cursor';
import { withSecondService } from '../../support/services';

type EmailMessage = Schemas['EmailMessage'];

async function anOrder(): Promise<{ order: Order; buyer: Awaited<ReturnType<typeof customer>> }> {
  const buyer = await customer();
  const product = await createProduct({ initialStock: 10 });
  return { order: await placedOrder(buyer.token, [{ productId: product.id, quantity: 1 }]), buyer };
}

const orderEmails = (token: string, id: string, q: { limit?: number; cursor?: string } = {}) =>
  client(token).GET('/api/v1/orders/{id}/emails', { params: { path: { id }, query: q } });

const resend = (token: string, id: string, key: string | undefined = randomUUID()) =>
  client(token).POST('/api/v1/email-messages/{id}/resend', { params: { path: { id }, header: { 'Idempotency-Key': key as string } } });

/** The stored row of a mail, body included (the API never shows it). */
async function stored(id: string) {
  const [row] = await query<{
    template: string;
    order_id: string | null;
    user_id: string | null;
    recipient: string;
    subject: string;
    html: string;
    text: string;
    message_id: string;
    status: string;
    skip_reason: string | null;
    attempts: number;
    resend_of: string | null;
    event_id: string | null;
    next_attempt_at: Date | null;
  }>('SELECT * FROM email_messages WHERE id = $1', [id]);
  return row;
}

const resendsOf = async (id: string) => query<{ id: string }>('SELECT id FROM email_messages WHERE resend_of = $1 ORDER BY created_at, id', [id]);

/** Pages through a global list until `wanted` are all seen (other specs' mails share the table). */
async function findInLog(
  token: string,
  q: { status?: EmailMessage['status']; template?: EmailMessage['template'] },
  wanted: string[],
): Promise<EmailMessage[]> {
  const seen: EmailMessage[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 50; page += 1) {
    const res = ok(await client(token).GET('/api/v1/email-messages', { params: { query: { ...q, limit: 100, cursor } } }));
    seen.push(...res.items);
    if (wanted.every((id) => seen.some((m) => m.id === id)) || !res.nextCursor) break;
    cursor = res.nextCursor;
  }
  return seen;
}

describe('staff mail log: an order’s mails and the log, filtered and paged', () => {
  it('lists an order’s mails newest first with their delivery state, never the body, paged by limit and cursor', async () => {
    const { order, buyer } = await anOrder();
    const op = await operator();
    const [confirmed, shipped, delivered] = await seedOrderEmails(order.id, ['order_confirmed', 'order_shipped', 'order_delivered'], { userId: buyer.id });
    const other = await anOrder();
    await seedOrderEmails(other.order.id, ['order_confirmed']);

    const first = ok(await orderEmails(op.token, order.id, { limit: 2 }));
    expect(first.items.map((m) => m.id)).to.deep.equal([delivered!.id, shipped!.id]);
    expect(first.nextCursor).to.be.a('string');
    const second = ok(await orderEmails(op.token, order.id, { limit: 2, cursor: first.nextCursor! }));
    expect(second.items.map((m) => m.id)).to.deep.equal([confirmed!.id]);
    expect(second.nextCursor).to.equal(null);

    const mail = first.items[1]!;
    expect(mail).to.deep.equal({
      id: shipped!.id,
      orderId: order.id,
      userId: buyer.id,
      template: 'order_shipped',
      recipient: mail.recipient,
      subject: 'Ordine QS-2026-000123 confermato',
      status: 'failed',
      skipReason: null,
      attempts: 1,
      lastReply: '550 5.1.1 <nobody@example.test>: Recipient address rejected',
      messageId: shipped!.messageId,
      resendOf: null,
      createdAt: shipped!.createdAt,
      lastAttemptAt: mail.lastAttemptAt,
      nextAttemptAt: null,
      sentAt: null,
    });
    expect(mail.lastAttemptAt).to.be.a('string');
    expect(Object.keys(mail)).to.not.include.members(['html', 'text']);

    // Admins read it too; an order without mails is an empty page.
    expect(ok(await orderEmails(await asAdmin(), order.id)).items).to.have.length(3);
    const quiet = await anOrder();
    expect(ok(await orderEmails(op.token, quiet.order.id))).to.deep.equal({ items: [], nextCursor: null });
  });

  it('answers 404 for an unknown order, 403 to a customer (its own order too), 401 without a token, 400 for a bad id', async () => {
    const { order, buyer } = await anOrder();
    await seedOrderEmails(order.id, ['order_confirmed'], { userId: buyer.id });
    const op = await operator();

    const unknown = await orderEmails(op.token, randomUUID());
    expect(unknown.response.status).to.equal(404);
    expect(unknown.error?.code).to.equal('not-found');
    const own = await orderEmails(buyer.token, order.id);
    expect(own.response.status).to.equal(403);
    expect(own.error?.code).to.equal('forbidden');
    const anonymous = await client().GET('/api/v1/orders/{id}/emails', { params: { path: { id: order.id } } });
    expect(anonymous.response.status).to.equal(401);
    const badId = await rawRequest('GET', '/api/v1/orders/not-a-uuid/emails', { token: op.token });
    expect(badId.status).to.equal(400);
    expect(problemOf(badId).code).to.equal('validation-failed');
  });

  it('lists the failed mails of the whole log, filtered by status and template, newest first', async () => {
    const op = await operator();
    const { order } = await anOrder();
    const failedOld = await seedEmail({ orderId: order.id, status: 'failed', createdAt: new Date(Date.now() - 2) });
    const failedNew = await seedEmail({ orderId: order.id, status: 'failed', template: 'refund_made' });
    const sent = await seedEmail({ orderId: order.id, status: 'sent' });
    const pending = await seedEmail({ orderId: order.id, status: 'pending' });
    const skipped = await seedEmail({ status: 'skipped', template: 'password_changed', skipReason: 'mail-not-configured' });

    const failed = await findInLog(op.token, { status: 'failed' }, [failedOld.id, failedNew.id]);
    expect(failed.every((m) => m.status === 'failed')).to.equal(true);
    const ours = failed.filter((m) => [failedOld.id, failedNew.id, sent.id, pending.id].includes(m.id)).map((m) => m.id);
    expect(ours).to.deep.equal([failedNew.id, failedOld.id]);

    const refunds = await findInLog(op.token, { status: 'failed', template: 'refund_made' }, [failedNew.id]);
    expect(refunds.every((m) => m.template === 'refund_made' && m.status === 'failed')).to.equal(true);
    expect(refunds.map((m) => m.id))
      .to.include(failedNew.id)
      .and.not.include(failedOld.id);

    const waiting = await findInLog(op.token, { status: 'pending' }, [pending.id]);
    expect(waiting.find((m) => m.id === pending.id)).to.include({ status: 'pending', attempts: 0, lastReply: null });
    expect(waiting.find((m) => m.id === pending.id)?.nextAttemptAt).to.be.a('string');
    const skippedMails = await findInLog(op.token, { status: 'skipped' }, [skipped.id]);
    expect(skippedMails.find((m) => m.id === skipped.id)).to.include({ orderId: null, skipReason: 'mail-not-configured', template: 'password_changed' });
    const everything = await findInLog(await asAdmin(), {}, [sent.id, pending.id, skipped.id]);
    expect(everything.find((m) => m.id === sent.id)?.sentAt).to.be.a('string');

    const one = await client(op.token).GET('/api/v1/email-messages/{id}', { params: { path: { id: failedNew.id } } });
    expect(one.data).to.include({ id: failedNew.id, status: 'failed', template: 'refund_made', orderId: order.id });
    const missing = await client(op.token).GET('/api/v1/email-messages/{id}', { params: { path: { id: randomUUID() } } });
    expect(missing.response.status).to.equal(404);
  });

  it('refuses a bad status, template, limit or cursor with 400, a customer with 403 and no token with 401', async () => {
    const op = await operator();
    const { order, buyer } = await anOrder();
    await seedOrderEmails(order.id, ['order_confirmed', 'order_shipped']);
    for (const q of ['status=lost', 'status=failed,sent', 'template=welcome', 'limit=0', 'limit=101', 'limit=tre', 'unknown=1']) {
      const res = await rawRequest('GET', `/api/v1/email-messages?${q}`, { token: op.token });
      expect(res.status, q).to.equal(400);
      expect(problemOf(res).code, q).to.equal('validation-failed');
    }
    const badStatus = await rawRequest('GET', '/api/v1/email-messages?status=lost', { token: op.token });
    expect(problemOf(badStatus).errors?.map((e) => e.path)).to.include('query.status');

    const page = ok(await orderEmails(op.token, order.id, { limit: 1 }));
    const cursor = page.nextCursor!;
    // Forged values, a cursor of another list, and one sent to another order's list: 400 invalid-cursor.
    const orders = ok(await client(op.token).GET('/api/v1/orders', { params: { query: { limit: 1 } } }));
    const other = await anOrder();
    const refusals = [
      orderEmails(op.token, order.id, { cursor: 'bm90IGEgY3Vyc29y' }),
      orderEmails(op.token, order.id, { cursor: forgeValue(cursor, 0, '2026-02-30T00:00:00.000Z') }),
      orderEmails(op.token, order.id, { cursor: forgeValue(cursor, 1, 'not-a-uuid') }),
      orderEmails(op.token, other.order.id, { cursor }),
      client(op.token).GET('/api/v1/email-messages', { params: { query: { cursor } } }),
      client(op.token).GET('/api/v1/email-messages', { params: { query: { cursor: orders.nextCursor! } } }),
    ];
    for (const res of await Promise.all(refusals)) {
      expect(res.response.status).to.equal(400);
      expect(res.error?.code).to.equal('invalid-cursor');
    }

    const asCustomer = await client(buyer.token).GET('/api/v1/email-messages', { params: { query: { status: 'failed' } } });
    expect(asCustomer.response.status).to.equal(403);
    expect((await client().GET('/api/v1/email-messages')).response.status).to.equal(401);
    const one = await client(buyer.token).GET('/api/v1/email-messages/{id}', { params: { path: { id: randomUUID() } } });
    expect(one.response.status).to.equal(403);
  });
});

describe('staff mail log: re-sending a mail', () => {
  it('records a new pending mail copying the original, with a new Message-ID and resendOf, and answers 201 with Location', async () => {
    const op = await operator();
    const { order, buyer } = await anOrder();
    const original = await seedEmail({
      orderId: order.id,
      userId: buyer.id,
      recipient: buyer.email,
      subject: `Ordine ${order.number} confermato`,
      html: `<p>Ordine ${order.number}</p>`,
      text: `Ordine ${order.number}`,
    });
    const before = await stored(original.id);

    const res = await resend(op.token, original.id);
    expect(res.response.status).to.equal(201);
    const copy = res.data!;
    expect(res.response.headers.get('location')).to.equal(`/api/v1/email-messages/${copy.id}`);
    expect(res.response.headers.get('idempotent-replayed')).to.equal(null);
    expect(copy).to.include({
      orderId: order.id,
      userId: buyer.id,
      template: 'order_confirmed',
      recipient: buyer.email,
      subject: `Ordine ${order.number} confermato`,
      status: 'pending',
      skipReason: null,
      attempts: 0,
      lastReply: null,
      resendOf: original.id,
      lastAttemptAt: null,
      sentAt: null,
    });
    expect(copy.id).to.not.equal(original.id);
    expect(copy.messageId)
      .to.match(/^<[0-9a-f-]{36}@quickstock\.test>$/)
      .and.not.equal(original.messageId);
    expect(Date.parse(copy.nextAttemptAt!)).to.be.closeTo(Date.now(), 60_000);

    const row = (await stored(copy.id))!;
    expect(row).to.include({
      template: 'order_confirmed',
      order_id: order.id,
      user_id: buyer.id,
      recipient: buyer.email,
      html: `<p>Ordine ${order.number}</p>`,
      text: `Ordine ${order.number}`,
      message_id: copy.messageId,
      resend_of: original.id,
      event_id: null,
    });
    // Pending for the mail worker (which may have sent it already: it picks up due rows).
    expect(['pending', 'sent']).to.include(row.status);
    expect(await stored(original.id), 'the original is left as it was').to.deep.equal(before);

    // It is read back at its Location, and listed first among the order's mails.
    const read = await rawRequest('GET', res.response.headers.get('location')!, { token: op.token });
    expect(read.status).to.equal(200);
    expect(ok(await orderEmails(op.token, order.id)).items.map((m) => m.id)).to.deep.equal([copy.id, original.id]);
  });

  it('writes email.resent to the outbox, for staff only', async () => {
    const admin = await asAdmin();
    const [me] = await query<{ id: string }>("SELECT id FROM users WHERE email = 'admin@quickstock.test'");
    const { order } = await anOrder();
    const original = await seedEmail({ orderId: order.id, template: 'order_shipped' });
    const copy = ok(await resend(admin, original.id));
    const events = await query<{ data: unknown; audience_staff: boolean; audience_user_id: string | null }>(
      "SELECT data, audience_staff, audience_user_id FROM events WHERE type = 'email.resent' AND data->>'emailMessageId' = $1",
      [copy.id],
    );
    expect(events).to.deep.equal([
      {
        data: {
          emailMessageId: copy.id,
          resendOf: original.id,
          orderId: order.id,
          template: 'order_shipped',
          status: 'pending',
          actorId: me!.id,
          actorRole: 'admin',
        },
        audience_staff: true,
        audience_user_id: null,
      },
    ]);
  });

  it('replays the same Idempotency-Key (one mail), refuses it for another mail with 422, and requires it (400)', async () => {
    const op = await operator();
    const { order } = await anOrder();
    const [a, b] = await seedOrderEmails(order.id, ['order_confirmed', 'order_cancelled']);
    const key = `resend-${randomUUID()}`;

    const first = await resend(op.token, a!.id, key);
    const again = await resend(op.token, a!.id, key);
    expect([first.response.status, again.response.status]).to.deep.equal([201, 201]);
    expect(again.response.headers.get('idempotent-replayed')).to.equal('true');
    expect(again.response.headers.get('location')).to.equal(`/api/v1/email-messages/${first.data!.id}`);
    expect(again.data).to.deep.equal(first.data);
    expect(await resendsOf(a!.id)).to.deep.equal([{ id: first.data!.id }]);

    const reused = await resend(op.token, b!.id, key);
    expect(reused.response.status).to.equal(422);
    expect(reused.error?.code).to.equal('idempotency-key-reused');
    expect(await resendsOf(b!.id)).to.deep.equal([]);

    // Keys are per user: another operator's same key is another request.
    const colleague = await operator();
    expect((await resend(colleague.token, b!.id, key)).response.status).to.equal(201);

    const missing = await rawRequest('POST', `/api/v1/email-messages/${a!.id}/resend`, { token: op.token });
    expect(missing.status).to.equal(400);
    expect(problemOf(missing).code).to.equal('validation-failed');
    expect(problemOf(missing).errors?.map((e) => e.path)).to.include('headers.idempotency-key');
    const empty = await rawRequest('POST', `/api/v1/email-messages/${a!.id}/resend`, { token: op.token, headers: { 'idempotency-key': '' } });
    expect(empty.status).to.equal(400);
    expect(await resendsOf(a!.id)).to.have.length(1);
  });

  it('makes two mails of two concurrent re-sends with different keys, and one of two with the same key', async () => {
    const op = await operator();
    const { order } = await anOrder();
    const [a, b] = await seedOrderEmails(order.id, ['order_confirmed', 'order_delivered']);

    const different = await Promise.all([resend(op.token, a!.id), resend(op.token, a!.id)]);
    expect(different.map((r) => r.response.status)).to.deep.equal([201, 201]);
    const rows = await resendsOf(a!.id);
    expect(rows.map((r) => r.id).sort()).to.deep.equal(different.map((r) => r.data!.id).sort());
    expect(new Set(different.map((r) => r.data!.messageId)).size).to.equal(2);

    const key = randomUUID();
    const same = await Promise.all([resend(op.token, b!.id, key), resend(op.token, b!.id, key), resend(op.token, b!.id, key)]);
    expect(same.map((r) => r.response.status)).to.deep.equal([201, 201, 201]);
    expect(new Set(same.map((r) => r.data!.id)).size).to.equal(1);
    expect(same.filter((r) => r.response.headers.get('idempotent-replayed') === 'true')).to.have.length(2);
    expect(await resendsOf(b!.id)).to.deep.equal([{ id: same[0]!.data!.id }]);
  });

  it('refuses a password-reset mail with 409 email-not-resendable, and an unknown mail with 404, recording nothing', async () => {
    const op = await operator();
    const buyer = await customer();
    const reset = await seedEmail({ template: 'password_reset', status: 'failed', userId: buyer.id, recipient: buyer.email });
    const refused = await resend(op.token, reset.id);
    expect(refused.response.status).to.equal(409);
    expect(refused.error?.code).to.equal('email-not-resendable');
    expect(await resendsOf(reset.id)).to.deep.equal([]);
    const events = await query("SELECT id FROM events WHERE type = 'email.resent' AND data->>'resendOf' = $1", [reset.id]);
    expect(events).to.deep.equal([]);

    const unknown = await resend(op.token, randomUUID());
    expect(unknown.response.status).to.equal(404);
    expect(unknown.error?.code).to.equal('not-found');
    const badId = await rawRequest('POST', '/api/v1/email-messages/nope/resend', { token: op.token, headers: { 'idempotency-key': randomUUID() } });
    expect(badId.status).to.equal(400);
  });

  it('re-sends an account mail and an opted-out order mail (an explicit act of staff), whatever their status', async () => {
    const admin = await asAdmin();
    const buyer = await customer();
    const changed = await seedEmail({ template: 'password_changed', status: 'sent', userId: buyer.id, recipient: buyer.email });
    const account = ok(await resend(admin, changed.id));
    expect(account).to.include({ orderId: null, userId: buyer.id, template: 'password_changed', status: 'pending', resendOf: changed.id });

    const { order } = await anOrder();
    const optedOut = await seedEmail({ orderId: order.id, status: 'skipped', skipReason: 'opted-out' });
    const sentAnyway = ok(await resend(admin, optedOut.id));
    expect(sentAnyway).to.include({ status: 'pending', skipReason: null, resendOf: optedOut.id });
    const pending = await seedEmail({ orderId: order.id, status: 'pending' });
    expect((await resend(admin, pending.id)).response.status).to.equal(201);
    // A re-send of a re-send links to the one it re-sends.
    const again = ok(await resend(admin, sentAnyway.id));
    expect(again.resendOf).to.equal(sentAnyway.id);
  });

  it('records the re-send as skipped (mail-not-configured) on a service without SMTP_URL', async () => {
    const { order } = await anOrder();
    const original = await seedEmail({ orderId: order.id });
    const op = await operator();
    await withSecondService({ SMTP_URL: '' }, async (baseUrl) => {
      const res = await client(op.token, baseUrl).POST('/api/v1/email-messages/{id}/resend', {
        params: { path: { id: original.id }, header: { 'Idempotency-Key': randomUUID() } },
      });
      expect(res.response.status).to.equal(201);
      expect(res.data).to.include({ status: 'skipped', skipReason: 'mail-not-configured', nextAttemptAt: null, resendOf: original.id });
      expect(await stored(res.data!.id)).to.include({ status: 'skipped', skip_reason: 'mail-not-configured', next_attempt_at: null });
      const [event] = await query<{ data: { status: string } }>("SELECT data FROM events WHERE type = 'email.resent' AND data->>'emailMessageId' = $1", [
        res.data!.id,
      ]);
      expect(event?.data.status).to.equal('skipped');
    });
  });

  it('is refused to customers (403) and without a token (401)', async () => {
    const { order, buyer } = await anOrder();
    const original = await seedEmail({ orderId: order.id, userId: buyer.id });
    const asCustomer = await resend(buyer.token, original.id);
    expect(asCustomer.response.status).to.equal(403);
    expect(asCustomer.error?.code).to.equal('forbidden');
    const anonymous = await client().POST('/api/v1/email-messages/{id}/resend', {
      params: { path: { id: original.id }, header: { 'Idempotency-Key': randomUUID() } },
    });
    expect(anonymous.response.status).to.equal(401);
    expect(await resendsOf(original.id)).to.deep.equal([]);
  });
});
