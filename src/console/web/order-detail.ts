import type { components } from '../../../generated/openapi';
import { announce, busy, byId, el, field, replaceChildren, type Child } from './dom';
import { formatCents, formatDateTime, newIdempotencyKey, STATUS_LABELS } from './format';
import type { LiveFeed } from './live';
import type { Session } from './session';

type Order = components['schemas']['Order'];
type OrderHistory = components['schemas']['OrderHistory'];

/**
 * The order detail dialog: everything about one order, and a form for each legal next step only
 * (the server still decides; its refusals are shown in plain words).
 */
export class OrderDetail {
  private readonly dialog = byId<HTMLDialogElement>('order-dialog');
  private readonly body = byId('order-dialog-body');
  private order: Order | undefined;

  constructor(
    private readonly session: Session,
    private readonly onChanged: (order: Order) => void,
  ) {
    byId('order-dialog-close').addEventListener('click', () => this.dialog.close());
    this.dialog.addEventListener('close', () => {
      this.order = undefined;
      replaceChildren(this.body);
    });
  }

  subscribe(live: LiveFeed): void {
    const reloadIfOpen = (orderId: string) => {
      if (this.order?.id === orderId) void this.load(orderId);
    };
    live.on('order.status_changed', (e) => {
      if (this.order?.id === e.data.orderId && this.order.status !== e.data.to) reloadIfOpen(e.data.orderId);
    });
    live.on('payment.updated', (e) => reloadIfOpen(e.data.orderId));
    live.on('shipment.updated', (e) => reloadIfOpen(e.data.orderId));
  }

  async open(id: string): Promise<void> {
    replaceChildren(this.body, el('p', {}, 'Loading…'));
    byId('order-dialog-title').textContent = 'Order';
    if (!this.dialog.open) this.dialog.showModal();
    await this.load(id);
  }

  close(): void {
    if (this.dialog.open) this.dialog.close();
  }

  private async load(id: string): Promise<void> {
    try {
      const [order, history] = await Promise.all([
        this.session.request<Order>('GET', `/orders/${id}`),
        this.session.request<OrderHistory>('GET', `/orders/${id}/history`),
      ]);
      this.order = order;
      this.render(order, history);
    } catch (err) {
      replaceChildren(this.body, el('p', { class: 'error', role: 'alert' }, `Could not load the order. ${(err as Error).message}`));
    }
  }

  private render(order: Order, history: OrderHistory): void {
    byId('order-dialog-title').textContent = `Order ${order.number}`;
    const a = order.shippingAddress;
    replaceChildren(
      this.body,
      el(
        'p',
        { class: 'order-head' },
        el('span', { class: `status-badge status-${order.status}`, 'data-testid': 'order-status' }, STATUS_LABELS[order.status]),
        ` Placed ${formatDateTime(order.createdAt)} · customer ${order.customerId.slice(0, 8)}`,
        order.reservedUntil ? ` · unpaid orders are cancelled at ${formatDateTime(order.reservedUntil)}` : '',
      ),
      el('div', { class: 'error', role: 'alert', id: 'order-error' }),
      this.actions(order),
      el(
        'section',
        { 'aria-labelledby': 'lines-h' },
        el('h3', { id: 'lines-h' }, 'Lines'),
        el(
          'table',
          {},
          el('thead', {}, el('tr', {}, ...['SKU', 'Product', 'Qty', 'Unit price', 'VAT', 'Total'].map((t) => el('th', { scope: 'col' }, t)))),
          el(
            'tbody',
            {},
            ...order.items.map((l) =>
              el('tr', {}, el('td', {}, l.sku), el('td', {}, l.name), el('td', { class: 'num' }, l.quantity), el('td', { class: 'num' }, formatCents(l.unitPriceCents)), el('td', { class: 'num' }, `${l.vatRate}%`), el('td', { class: 'num' }, formatCents(l.grossCents))),
            ),
          ),
          el(
            'tfoot',
            {},
            el('tr', {}, el('th', { scope: 'row', colspan: 5 }, 'Net'), el('td', { class: 'num' }, formatCents(order.totals.netCents))),
            el('tr', {}, el('th', { scope: 'row', colspan: 5 }, 'VAT'), el('td', { class: 'num' }, formatCents(order.totals.vatCents))),
            el('tr', { class: 'gross' }, el('th', { scope: 'row', colspan: 5 }, 'Total'), el('td', { class: 'num', 'data-testid': 'order-gross' }, formatCents(order.totals.grossCents))),
          ),
        ),
      ),
      el(
        'div',
        { class: 'detail-grid' },
        el(
          'section',
          { 'aria-labelledby': 'address-h' },
          el('h3', { id: 'address-h' }, 'Ship to'),
          el('address', {}, a.name, el('br'), a.line1, a.line2 ? el('br') : null, a.line2 ?? '', el('br'), `${a.postalCode} ${a.city}${a.province ? ` (${a.province})` : ''}`, el('br'), a.country),
          order.notes ? el('p', {}, el('strong', {}, 'Notes: '), order.notes) : null,
        ),
        el(
          'section',
          { 'aria-labelledby': 'payments-h' },
          el('h3', { id: 'payments-h' }, 'Payments'),
          list(
            order.payments.map((p) => `${formatCents(p.amountCents)} · ${p.provider} · ${p.status}${p.reference ? ` · ref. ${p.reference}` : ''}${p.failureReason ? ` · ${p.failureReason}` : ''} · ${formatDateTime(p.createdAt)}`),
            'No payments yet.',
          ),
        ),
        el(
          'section',
          { 'aria-labelledby': 'shipments-h' },
          el('h3', { id: 'shipments-h' }, 'Shipments'),
          list(
            order.shipments.map((s) => [
              `${s.carrierName} · `,
              s.trackingUrl ? el('a', { href: s.trackingUrl, target: '_blank', rel: 'noopener noreferrer' }, s.trackingCode) : s.trackingCode,
              ` · ${s.status.replace(/_/g, ' ')} · ${formatDateTime(s.createdAt)}`,
            ]),
            'No shipments yet.',
          ),
        ),
      ),
      el(
        'section',
        { 'aria-labelledby': 'history-h' },
        el('h3', { id: 'history-h' }, 'History'),
        el(
          'ol',
          { class: 'history' },
          ...history.items.map((h) =>
            el('li', {}, el('time', { datetime: h.at }, formatDateTime(h.at)), ` ${h.from ? `${STATUS_LABELS[h.from]} → ` : ''}${STATUS_LABELS[h.to]} by ${h.actorRole}${h.reason ? ` — “${h.reason}”` : ''}`),
          ),
        ),
      ),
    );
  }

  /** Forms for the steps the order's state machine allows from its current status. */
  private actions(order: Order): HTMLElement {
    const steps: HTMLElement[] = [];
    const base = `/orders/${order.id}`;
    switch (order.status) {
      case 'pending_payment': {
        const key = newIdempotencyKey();
        steps.push(
          this.step('Record manual payment', `Records ${formatCents(order.totals.grossCents)} received (bank transfer, cash…) and moves the order to Paid.`, [input('reference', 'Payment reference (optional)', { maxlength: 200 })], (form) => {
            const reference = field(form, 'reference');
            return this.session.request('POST', `${base}/payments`, { provider: 'manual', ...(reference ? { reference } : {}) }, { 'idempotency-key': key });
          }),
        );
        break;
      }
      case 'paid':
        steps.push(this.step('Start preparation', 'Moves the order to In preparation.', [], () => this.session.request('POST', `${base}/status`, { status: 'in_preparation' })));
        break;
      case 'in_preparation': {
        const key = newIdempotencyKey();
        steps.push(
          this.step(
            'Create shipment',
            'Records the carrier and tracking code and moves the order to Shipped (reserved stock becomes a sale).',
            [input('carrierName', 'Carrier', { required: true, maxlength: 100, placeholder: 'e.g. BRT' }), input('trackingCode', 'Tracking code', { required: true, maxlength: 100 }), input('trackingUrl', 'Tracking URL (optional)', { type: 'url', maxlength: 2000 })],
            (form) => {
              const trackingUrl = field(form, 'trackingUrl');
              return this.session.request(
                'POST',
                `${base}/shipments`,
                { carrier: 'manual', carrierName: field(form, 'carrierName'), trackingCode: field(form, 'trackingCode'), ...(trackingUrl ? { trackingUrl } : {}) },
                { 'idempotency-key': key },
              );
            },
          ),
        );
        break;
      }
      case 'shipped':
        steps.push(this.step('Mark delivered', 'Confirms the customer received the goods.', [], () => this.session.request('POST', `${base}/status`, { status: 'delivered' })));
        break;
      default:
        break;
    }
    if (order.status === 'pending_payment' || order.status === 'paid' || order.status === 'in_preparation') {
      steps.push(
        this.step(
          'Cancel order',
          order.status === 'pending_payment' ? 'Releases the reserved stock.' : 'Releases the reserved stock and refunds the payment.',
          [input('reason', 'Reason for cancelling', { required: true, maxlength: 500 })],
          (form) => this.session.request('POST', `${base}/cancel`, { reason: field(form, 'reason') }),
          'danger',
        ),
      );
    }
    return el(
      'section',
      { 'aria-labelledby': 'actions-h', class: 'actions' },
      el('h3', { id: 'actions-h' }, 'Next steps'),
      ...(steps.length > 0 ? steps : [el('p', {}, `No further steps: the order is ${STATUS_LABELS[order.status].toLowerCase()}.`)]),
    );
  }

  private step(label: string, help: string, controls: Child[], run: (form: HTMLFormElement) => Promise<unknown>, kind = 'primary'): HTMLElement {
    const form = el('form', { class: 'step', 'aria-label': label }, ...controls, el('button', { type: 'submit', class: kind }, label), el('p', { class: 'help' }, help));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const order = this.order;
      if (!order) return;
      const error = byId('order-error');
      error.textContent = '';
      void busy(form, async () => {
        try {
          await run(form);
          const fresh = await this.session.request<Order>('GET', `/orders/${order.id}`);
          this.onChanged(fresh);
          announce(`${label}: done. Order ${fresh.number} is ${STATUS_LABELS[fresh.status].toLowerCase()}.`);
          await this.load(order.id);
        } catch (err) {
          error.textContent = `${label} failed. ${(err as Error).message}`;
        }
      });
    });
    return form;
  }
}

function input(name: string, label: string, attrs: Record<string, string | number | boolean> = {}): HTMLElement {
  const id = `f-${name}`;
  return el('div', { class: 'field' }, el('label', { for: id }, label), el('input', { id, name, type: 'text', autocomplete: 'off', ...attrs }));
}

function list(items: Child[][] | string[], empty: string): HTMLElement {
  if (items.length === 0) return el('p', { class: 'muted' }, empty);
  return el('ul', {}, ...items.map((item) => el('li', {}, ...(Array.isArray(item) ? item : [item]))));
}
