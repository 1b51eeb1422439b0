import type { components } from '../../../generated/openapi';
import { announce, busy, byId, el, replaceChildren } from './dom';
import { formatDateTime } from './format';
import { t } from './i18n';
import type { Session } from './session';
import type { LiveFeed } from './live';

type Subscription = components['schemas']['WebhookSubscription'];
type SubscriptionList = components['schemas']['WebhookSubscriptionList'];
type Delivery = components['schemas']['WebhookDelivery'];
type DeliveryList = components['schemas']['WebhookDeliveryList'];
type DeliveryDetail = components['schemas']['WebhookDeliveryDetail'];

/**
 * The outgoing webhooks view (admins only): each subscription with its health (enabled, last
 * success, failing since), the recent deliveries of the one chosen with their status, and redeliver.
 */
export class WebhooksView {
  private subscriptions: Subscription[] = [];
  private chosen: Subscription | null = null;
  private deliveries: Delivery[] = [];

  constructor(private readonly session: Session) {}

  /** A subscription the service disabled by itself: admins hear it at once and see it in the list. */
  subscribe(live: LiveFeed): void {
    live.on('webhook.subscription_disabled', (event) => {
      if (this.session.user?.role !== 'admin') return;
      announce(t('hooks.disabledLive', { host: event.data.host }));
      byId('hooks-result').textContent = t('hooks.disabledLive', { host: event.data.host });
      void this.load();
    });
  }

  async load(): Promise<void> {
    const status = byId('hooks-status');
    try {
      const page = await this.session.request<SubscriptionList>('GET', '/webhook-subscriptions?limit=100');
      this.subscriptions = page.items;
      status.textContent = this.subscriptions.length === 0 ? t('hooks.none') : t('hooks.count', { n: this.subscriptions.length });
      if (this.chosen) this.chosen = this.subscriptions.find((s) => s.id === this.chosen?.id) ?? null;
      this.render();
      if (this.chosen) await this.loadDeliveries(this.chosen);
    } catch (err) {
      status.textContent = t('hooks.loadFailed', { message: (err as Error).message });
    }
  }

  clear(): void {
    this.subscriptions = [];
    this.deliveries = [];
    this.chosen = null;
    replaceChildren(byId('hooks-body'));
    replaceChildren(byId('hook-deliveries-body'));
    byId('hook-deliveries').hidden = true;
    byId('hooks-result').textContent = '';
  }

  rerender(): void {
    this.render();
  }

  private health(s: Subscription): string {
    if (!s.enabled) return s.disabledReason ? t('hooks.disabledBecause', { reason: s.disabledReason }) : t('hooks.disabled');
    if (s.failingSince) return t('hooks.failingSince', { at: formatDateTime(s.failingSince) });
    return t('hooks.healthy');
  }

  private render(): void {
    replaceChildren(
      byId('hooks-body'),
      ...this.subscriptions.map((s) =>
        el(
          'tr',
          { 'data-url': s.url, class: s.enabled ? (s.failingSince ? 'failing' : '') : 'disabled' },
          el('td', {}, s.description ?? '', el('br', {}), el('span', { class: 'muted' }, s.url)),
          el('td', {}, s.eventTypes.join(', ')),
          el('td', { 'data-testid': 'health' }, this.health(s)),
          el('td', { class: 'muted' }, s.lastSuccessAt ? formatDateTime(s.lastSuccessAt) : t('hooks.never')),
          el(
            'td',
            { class: 'row-actions' },
            el(
              'button',
              { type: 'button', 'aria-label': t('hooks.showDeliveriesOf', { url: s.url }), onclick: () => void this.loadDeliveries(s) },
              t('hooks.showDeliveries'),
            ),
          ),
        ),
      ),
    );
    this.renderDeliveries();
  }

  private async loadDeliveries(s: Subscription): Promise<void> {
    this.chosen = s;
    try {
      const page = await this.session.request<DeliveryList>('GET', `/webhook-subscriptions/${s.id}/deliveries?limit=20`);
      this.deliveries = page.items;
      byId('hooks-error').textContent = '';
    } catch (err) {
      this.deliveries = [];
      byId('hooks-error').textContent = t('hooks.loadFailed', { message: (err as Error).message });
    }
    this.renderDeliveries();
  }

  private renderDeliveries(): void {
    const section = byId('hook-deliveries');
    section.hidden = this.chosen === null;
    if (!this.chosen) return;
    byId('hook-deliveries-title').textContent = t('hooks.deliveriesOf', { url: this.chosen.url });
    replaceChildren(
      byId('hook-deliveries-body'),
      ...this.deliveries.map((d) =>
        el(
          'tr',
          { 'data-webhook-id': d.webhookId },
          el('td', { class: 'muted' }, formatDateTime(d.createdAt)),
          el('td', {}, d.eventType),
          el('td', { 'data-testid': 'delivery-status' }, t(`hooks.status.${d.status}`)),
          el('td', {}, String(d.attemptCount), d.lastStatusCode === null ? '' : ` (HTTP ${d.lastStatusCode})`),
          el(
            'td',
            { class: 'row-actions' },
            el(
              'button',
              { type: 'button', 'aria-label': t('hooks.redeliverOf', { id: d.webhookId }), onclick: () => void this.redeliver(d) },
              t('hooks.redeliver'),
            ),
          ),
        ),
      ),
    );
  }

  private async redeliver(d: Delivery): Promise<void> {
    const result = byId('hooks-result');
    const error = byId('hooks-error');
    result.textContent = '';
    error.textContent = '';
    await busy(byId('hook-deliveries'), async () => {
      try {
        const detail = await this.session.request<DeliveryDetail>('POST', `/webhook-deliveries/${d.id}/redeliver`);
        const last = detail.attempts[detail.attempts.length - 1];
        const said =
          last?.errorKind === null
            ? t('hooks.redelivered', { id: d.webhookId })
            : t('hooks.redeliverFailed', { id: d.webhookId, what: last?.statusCode ? `HTTP ${last.statusCode}` : (last?.errorKind ?? '') });
        result.textContent = said;
        announce(said);
        this.deliveries = this.deliveries.map((x) => (x.id === detail.id ? detail : x));
        this.renderDeliveries();
      } catch (err) {
        error.textContent = t('hooks.redeliverFailed', { id: d.webhookId, what: (err as Error).message });
      }
    });
  }
}
