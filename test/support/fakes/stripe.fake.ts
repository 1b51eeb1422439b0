import nock from 'nock';
import Stripe from 'stripe';
import { randomBytes } from 'node:crypto';
import { STRIPE_WEBHOOK_SECRET } from '../hooks';
import { playFault, type Fault } from './faults';

export const STRIPE_URL = 'https://stripe.fake.test';

export interface StripeCall {
  path: string;
  idempotencyKey: string | undefined;
  params: Record<string, string>;
}

interface FakeIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  currency: string;
  status: string;
  client_secret: string;
  metadata: Record<string, string>;
}

const sdk = new Stripe('sk_test_signing_only', { telemetry: false });
const id = (prefix: string) => `${prefix}_${randomBytes(8).toString('hex')}`;

/**
 * A stateful Stripe: PaymentIntents and refunds over nock, idempotency keys replayed as Stripe does,
 * every request recorded, faults queued per endpoint. Also signs webhook events as Stripe would.
 */
export class FakeStripe {
  readonly calls: StripeCall[] = [];
  readonly intents = new Map<string, FakeIntent>();
  readonly refunds: { id: string; payment_intent: string; amount: number }[] = [];
  readonly faults: Record<'payment_intents' | 'refunds', Fault[]> = { payment_intents: [], refunds: [] };
  private readonly replays = new Map<string, unknown>();

  install(): this {
    const reply = this.reply.bind(this);
    const handle = (resource: 'payment_intents' | 'refunds') =>
      async function (this: nock.ReplyFnContext, path: string, body: nock.Body): Promise<nock.ReplyFnResult> {
        return (await reply(
          resource,
          path,
          typeof body === 'string' ? body : new URLSearchParams(body as Record<string, string>).toString(),
          this.req.headers,
        )) as nock.ReplyFnResult;
      };
    const retrieve = (path: string): nock.ReplyFnResult => {
      this.calls.push({ path, idempotencyKey: undefined, params: {} });
      const intent = this.intents.get(path.split('/').pop() ?? '');
      return intent ? [200, { ...intent }] : [404, { error: { type: 'invalid_request_error', message: 'No such payment_intent' } }];
    };
    nock(STRIPE_URL)
      .persist()
      .post('/v1/payment_intents')
      .reply(handle('payment_intents'))
      .post('/v1/refunds')
      .reply(handle('refunds'))
      .get(/^\/v1\/payment_intents\/[^/?]+/)
      .reply((path) => retrieve(path.split('?')[0] ?? path))
      .post(/^\/v1\/payment_intents\/[^/?]+\/cancel/)
      .reply((path) => {
        this.calls.push({ path, idempotencyKey: undefined, params: {} });
        const intent = this.intents.get(path.split('/')[3] ?? '');
        if (!intent) return [404, { error: { type: 'invalid_request_error', message: 'No such payment_intent' } }];
        intent.status = 'canceled';
        return [200, { ...intent }];
      });
    return this;
  }

  /** Each spec installs a fresh fake before each test; nothing else in the suite uses nock interceptors. */
  uninstall(): void {
    nock.cleanAll();
  }

  /** The creations (POSTs) of this resource; reads of one PaymentIntent are `/v1/payment_intents/<id>`. */
  callsTo(resource: 'payment_intents' | 'refunds'): StripeCall[] {
    return this.calls.filter((c) => c.path === `/v1/${resource}`);
  }

  /** Marks an intent cancelled at Stripe (as after its expiry or a cancel from the dashboard). */
  cancel(intentId: string): void {
    const intent = this.intents.get(intentId);
    if (intent) intent.status = 'canceled';
  }

  private async reply(
    resource: 'payment_intents' | 'refunds',
    path: string,
    body: string,
    headers: Record<string, string | string[] | undefined>,
  ): Promise<unknown> {
    const header = headers['idempotency-key'];
    const idempotencyKey = Array.isArray(header) ? header[0] : header;
    const params = Object.fromEntries(new URLSearchParams(body));
    this.calls.push({ path, idempotencyKey, params });
    const fault = await playFault(this.faults[resource], (status) => ({
      error: { type: status >= 500 ? 'api_error' : 'invalid_request_error', message: `fake ${status}` },
    }));
    if (fault) return fault;
    if (idempotencyKey && this.replays.has(idempotencyKey)) return [200, this.replays.get(idempotencyKey) as Record<string, unknown>];
    let result: Record<string, unknown>;
    if (resource === 'payment_intents') {
      const intentId = id('pi');
      const metadata = Object.fromEntries(Object.entries(params).flatMap(([k, v]) => (k.startsWith('metadata[') ? [[k.slice(9, -1), v]] : [])));
      const intent: FakeIntent = {
        id: intentId,
        object: 'payment_intent',
        amount: Number(params['amount']),
        currency: params['currency'] ?? '',
        status: 'requires_payment_method',
        client_secret: `${intentId}_secret_${randomBytes(6).toString('hex')}`,
        metadata,
      };
      this.intents.set(intentId, intent);
      result = { ...intent };
    } else {
      const intent = this.intents.get(params['payment_intent'] ?? '');
      if (!intent) return [404, { error: { type: 'invalid_request_error', message: 'No such payment_intent' } }];
      const refund = { id: id('re'), payment_intent: intent.id, amount: Number(params['amount'] ?? intent.amount) };
      this.refunds.push(refund);
      result = { object: 'refund', status: 'succeeded', ...refund };
    }
    if (idempotencyKey) this.replays.set(idempotencyKey, result);
    return [200, result];
  }

  /** An event as Stripe would send it, with its signature header. */
  event(type: string, object: Record<string, unknown>, options: { id?: string; timestamp?: number; secret?: string } = {}) {
    const event = { id: options.id ?? id('evt'), object: 'event', api_version: '2025-01-01', created: Math.floor(Date.now() / 1000), type, data: { object } };
    const rawBody = JSON.stringify(event, null, 2);
    return { event, rawBody, signature: this.sign(rawBody, options) };
  }

  sign(rawBody: string, options: { timestamp?: number; secret?: string } = {}): string {
    return sdk.webhooks.generateTestHeaderString({
      payload: rawBody,
      secret: options.secret ?? STRIPE_WEBHOOK_SECRET,
      ...(options.timestamp !== undefined ? { timestamp: options.timestamp } : {}),
    });
  }

  succeeded(intentId: string, options: { id?: string } = {}) {
    return this.event('payment_intent.succeeded', { ...this.intentObject(intentId), status: 'succeeded' }, options);
  }

  failed(intentId: string, message = 'Your card was declined.') {
    return this.event('payment_intent.payment_failed', {
      ...this.intentObject(intentId),
      status: 'requires_payment_method',
      last_payment_error: { code: 'card_declined', message },
    });
  }

  chargeRefunded(intentId: string) {
    return this.event('charge.refunded', { id: id('ch'), object: 'charge', payment_intent: intentId, refunded: true });
  }

  private intentObject(intentId: string): Record<string, unknown> {
    return { ...(this.intents.get(intentId) ?? { id: intentId, object: 'payment_intent' }) };
  }
}
