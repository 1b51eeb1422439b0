import type { Db, Tx } from '../platform/db/db';
import { providerEventRepository as inbox } from './provider-event.repository';
import type { Logger } from 'pino';
import type { ProviderRegistry } from '../platform/upstream';
import type { Schemas } from '../platform/http/contract';
import type { PaymentEvent, PaymentProvider } from '../payments';
import type { Carrier } from '../shipping';
import type { OrdersService } from '../orders';

type WebhookAck = Schemas['WebhookAck'];
type Headers = Record<string, string | undefined>;

/**
 * Inbound provider events, exactly once: verify the signature, then in one transaction store the
 * event id under its unique key and apply the event. A second delivery (even a concurrent one,
 * which waits on the first's uncommitted key) finds the id and does nothing. Events about objects
 * we do not know are stored and acknowledged, so the provider stops retrying them.
 */
export class WebhooksService {
  constructor(
    private readonly db: Db,
    private readonly payments: ProviderRegistry<PaymentProvider>,
    private readonly carriers: ProviderRegistry<Carrier>,
    private readonly orders: OrdersService,
    private readonly logger: Logger,
  ) {}

  async receivePayment(providerName: string, rawBody: Buffer, headers: Headers): Promise<WebhookAck> {
    const event = this.payments.get(providerName).parseWebhook(rawBody, headers);
    const ack = await this.once(event.provider, event, (tx) => this.orders.applyPaymentEvent(tx, event));
    if (!ack.duplicate && ack.outcome === 'captured-needs-refund') await this.refundOrphan(event);
    return ack;
  }

  async receiveTracking(carrierName: string, rawBody: Buffer, headers: Headers): Promise<WebhookAck> {
    const event = this.carriers.get(carrierName).parseWebhook(rawBody, headers);
    return this.once(event.carrier, event, (tx) => this.orders.applyTrackingEvent(tx, event));
  }

  private async once(provider: string, event: { eventId: string; type: string; payload: unknown }, apply: (tx: Tx) => Promise<string>): Promise<WebhookAck> {
    return this.db.transaction(async (tx) => {
      if (!(await inbox.store(tx, { provider, eventId: event.eventId, type: event.type, payload: event.payload }))) {
        const outcome = await inbox.outcomeOf(tx, provider, event.eventId);
        return { received: true, duplicate: true, ...(outcome ? { outcome } : {}) };
      }
      const outcome = await apply(tx);
      await inbox.markProcessed(tx, provider, event.eventId, outcome);
      this.logger.info({ provider, eventId: event.eventId, type: event.type, outcome }, 'provider event applied');
      return { received: true, duplicate: false, outcome };
    });
  }

  /** Best effort: the event is already stored; a failed refund is logged and left for staff. */
  private async refundOrphan(event: PaymentEvent): Promise<void> {
    if (event.kind !== 'succeeded') return;
    try {
      await this.orders.refundOrphanPayment(event.provider, event.providerPaymentId);
    } catch (err) {
      this.logger.error({ err, provider: event.provider, providerPaymentId: event.providerPaymentId }, 'refund of a payment for an unpayable order failed');
    }
  }
}
