import type { components } from '../../../generated/openapi';
import { CarrierFields } from './carrier-fields';
import { announce, busy, byId, el, field, labelled, replaceChildren, type Child } from './dom';
import { customerLabel, formatCents, formatDateTime, formatNumber, newIdempotencyKey } from './format';
import { statusLabel, t, type MessageKey } from './i18n';
import type { LiveFeed } from './live';
import { OrderEmailsPanel } from './emails';
import { shipmentsSection } from './order-shipments';
import { OrderRefundsPanel } from './order-refunds';
import { serviceReason } from './reason-text';
import type { Session } from './session';

type Order = components['schemas']['Order'];
type OrderHistory = components['schemas']['OrderHistory'];
type Shipment = components['schemas']['Shipment'];

/** Units of the order still to ship (neither shipped nor cancelled). */
const unitsToShip = (order: Order): number => order.items.reduce((n, i) => n + i.quantity - i.shippedQuantity - i.cancelledQuantity, 0);

/**
 * The order detail dialog: everything about one order, and a form for each legal next step only
 * (the server still decides; its refusals are shown in plain words).
 */
export class OrderDetail {
  private readonly dialog = byId<HTMLDialogElement>('order-dialog');
  private readonly body = byId('order-dialog-body');
  private order: Order | undefined;
  private mails: OrderEmailsPanel | undefined;
  /** Opens the returns page on this order's returns (set by main.ts). */
  onReturns: (order: Order) => void = () => undefined;

  constructor(
    private readonly session: Session,
    private readonly onChanged: (order: Order) => void,
    private readonly onPackingSlip: (order: Order, shipment?: Shipment) => void,
    private readonly onPack: (order: Order) => void,
  ) {
    byId('order-dialog-close').addEventListener('click', () => this.dialog.close());
    this.dialog.addEventListener('close', () => {
      this.order = undefined;
      this.mails = undefined;
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
    live.on('refund.updated', (e) => reloadIfOpen(e.data.orderId));
    // A mail of the open order re-sent (here or by someone else): its mail list is read again.
    live.on('email.resent', (e) => {
      if (this.mails && this.mails.orderId === e.data.orderId) void this.mails.load();
    });
  }

  async open(id: string): Promise<void> {
    replaceChildren(this.body, el('p', {}, t('order.loading')));
    byId('order-dialog-title').textContent = t('order.title');
    if (!this.dialog.open) this.dialog.showModal();
    await this.load(id);
  }

  close(): void {
    if (this.dialog.open) this.dialog.close();
  }

  /** Draws the open order again (after a language switch). */
  rerender(): void {
    if (this.order) void this.load(this.order.id);
  }

  private async load(id: string): Promise<void> {
    try {
      const [order, history] = await Promise.all([
        this.session.request<Order>('GET', `/orders/${id}`),
        this.session.request<OrderHistory>('GET', `/orders/${id}/history`),
      ]);
      this.order = order;
      this.render(order, history);
      // The refunds ("Rimborsi", "Rimborsa") after the shipments, read beside the order.
      const refunds = new OrderRefundsPanel(this.session, order, () => this.refreshAfterRefund(order.id));
      byId('order-refunds-slot').replaceWith(refunds.element);
      await refunds.load();
      // The order's mails load beside it; a failure there leaves the rest of the order shown.
      this.mails = new OrderEmailsPanel(this.session, order.id);
      this.body.append(this.mails.element);
      await this.mails.load();
    } catch (err) {
      replaceChildren(this.body, el('p', { class: 'error', role: 'alert' }, t('order.loadFailed', { message: (err as Error).message })));
    }
  }

  private render(order: Order, history: OrderHistory): void {
    byId('order-dialog-title').textContent = t('order.titleNumber', { number: order.number });
    const a = order.shippingAddress;
    replaceChildren(
      this.body,
      el(
        'p',
        { class: 'order-head' },
        el('span', { class: `status-badge status-${order.status}`, 'data-testid': 'order-status' }, statusLabel(order.status)),
        t('order.placed', { date: formatDateTime(order.createdAt), customer: customerLabel(order) }),
        order.reservedUntil ? t('order.reservedUntil', { date: formatDateTime(order.reservedUntil) }) : '',
      ),
      el('div', { class: 'error', role: 'alert', id: 'order-error' }),
      this.actions(order),
      el(
        'section',
        { 'aria-labelledby': 'lines-h' },
        el('h3', { id: 'lines-h' }, t('order.lines')),
        el(
          'div',
          { class: 'table-scroll' },
          el(
            'table',
            {},
            el(
              'thead',
              {},
              el(
                'tr',
                {},
                ...(
                  [
                    'order.col.sku',
                    'order.col.product',
                    'order.col.qty',
                    'order.col.shipped',
                    'order.col.cancelled',
                    'order.col.unitPrice',
                    'order.col.vat',
                    'order.col.total',
                  ] as const
                ).map((k) => el('th', { scope: 'col' }, t(k))),
              ),
            ),
            el(
              'tbody',
              {},
              ...order.items.map((l) =>
                el(
                  'tr',
                  { 'data-sku': l.sku },
                  el('td', {}, l.sku),
                  el('td', {}, l.name),
                  el('td', { class: 'num' }, l.quantity),
                  el('td', { class: 'num', 'data-testid': 'line-shipped' }, l.shippedQuantity),
                  el('td', { class: 'num', 'data-testid': 'line-cancelled' }, l.cancelledQuantity),
                  el('td', { class: 'num' }, formatCents(l.unitPriceCents)),
                  el('td', { class: 'num' }, `${l.vatRate}%`),
                  el('td', { class: 'num' }, formatCents(l.grossCents)),
                ),
              ),
            ),
            el(
              'tfoot',
              {},
              el('tr', {}, el('th', { scope: 'row', colspan: 7 }, t('order.net')), el('td', { class: 'num' }, formatCents(order.totals.netCents))),
              el('tr', {}, el('th', { scope: 'row', colspan: 7 }, t('order.vat')), el('td', { class: 'num' }, formatCents(order.totals.vatCents))),
              el(
                'tr',
                { class: 'gross' },
                el('th', { scope: 'row', colspan: 7 }, t('order.gross')),
                el('td', { class: 'num', 'data-testid': 'order-gross' }, formatCents(order.totals.grossCents)),
              ),
            ),
          ),
        ),
      ),
      el(
        'div',
        { class: 'detail-grid' },
        el(
          'section',
          { 'aria-labelledby': 'address-h' },
          el('h3', { id: 'address-h' }, t('order.shipTo')),
          el(
            'address',
            {},
            a.name,
            el('br'),
            a.line1,
            a.line2 ? el('br') : null,
            a.line2 ?? '',
            el('br'),
            `${a.postalCode} ${a.city}${a.province ? ` (${a.province})` : ''}`,
            el('br'),
            a.country,
          ),
          order.notes ? el('p', {}, el('strong', {}, t('order.notes')), order.notes) : null,
        ),
        el(
          'section',
          { 'aria-labelledby': 'payments-h' },
          el('h3', { id: 'payments-h' }, t('order.payments')),
          list(
            order.payments.map(
              (p) =>
                `${formatCents(p.amountCents)} · ${t(`payment.${p.provider}`)} · ${t(`payment.${p.status}`)}${p.refundedCents > 0 ? ` · ${t('order.refunded', { amount: formatCents(p.refundedCents) })}` : ''}${p.reference ? ` · ${t('order.ref', { reference: p.reference })}` : ''}${p.failureReason ? ` · ${p.failureReason}` : ''} · ${formatDateTime(p.createdAt)}`,
            ),
            t('order.noPayments'),
          ),
        ),
      ),
      el('div', { id: 'order-refunds-slot' }),
      shipmentsSection(order, {
        slip: (shipment) => this.onPackingSlip(order, shipment),
        cancel: (shipment, reason) =>
          this.run(t('order.cancelShipment'), () =>
            this.session.request('POST', `/orders/${order.id}/shipments/${shipment.id}/cancel`, reason ? { reason } : {}, {
              'idempotency-key': newIdempotencyKey(),
            }),
          ),
      }),
      el(
        'section',
        { 'aria-labelledby': 'history-h' },
        el('h3', { id: 'history-h' }, t('order.history')),
        el(
          'ol',
          { class: 'history' },
          ...history.items.map((h) =>
            el(
              'li',
              {},
              el('time', { datetime: h.at }, formatDateTime(h.at)),
              ` ${h.from ? `${statusLabel(h.from)} → ` : ''}${statusLabel(h.to)} ${t('order.historyBy', { role: t(`role.${h.actorRole}`) })}${h.reason ? ` — ${serviceReason(h.reason) ?? `“${h.reason}”`}` : ''}`,
            ),
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
          this.step(
            'step.pay',
            t('step.payHelp', { amount: formatCents(order.totals.grossCents) }),
            [input('reference', t('step.payReference'), { maxlength: 200 })],
            (form) => {
              const reference = field(form, 'reference');
              return this.session.request('POST', `${base}/payments`, { provider: 'manual', ...(reference ? { reference } : {}) }, { 'idempotency-key': key });
            },
          ),
        );
        break;
      }
      case 'paid':
        steps.push(this.step('step.prepare', t('step.prepareHelp'), [], () => this.session.request('POST', `${base}/status`, { status: 'in_preparation' })));
        break;
      case 'in_preparation':
      case 'partially_shipped': {
        steps.push(
          el(
            'div',
            { class: 'step' },
            el('button', { type: 'button', class: 'primary', onclick: () => this.onPack(order) }, t('pack.open')),
            el('p', { class: 'help' }, t('pack.openHelp')),
          ),
          el(
            'div',
            { class: 'step' },
            el('button', { type: 'button', onclick: () => this.onPackingSlip(order) }, t('slip.open')),
            el('p', { class: 'help' }, t('slip.openHelp')),
          ),
        );
        const key = newIdempotencyKey();
        const carrier = new CarrierFields('f');
        const first = order.status === 'in_preparation';
        steps.push(
          this.step(
            first ? 'step.ship' : 'step.shipRest',
            first ? t('step.shipHelp') : t('step.shipRestHelp', { units: formatNumber(unitsToShip(order)) }),
            [carrier.element],
            () => {
              const read = carrier.read();
              if (!read.ok) {
                read.control.focus();
                return Promise.reject(new Error(read.message));
              }
              return this.session.request('POST', `${base}/shipments`, read.body, { 'idempotency-key': key });
            },
          ),
        );
        if (!first) {
          const restKey = newIdempotencyKey();
          steps.push(
            this.step(
              'step.cancelRemaining',
              t('step.cancelRemainingHelp', { units: formatNumber(unitsToShip(order)) }),
              [input('remainingReason', t('step.cancelRemainingReason'), { required: true, maxlength: 500 })],
              (form) => this.session.request('POST', `${base}/cancel-remaining`, { reason: field(form, 'remainingReason') }, { 'idempotency-key': restKey }),
              'danger',
            ),
          );
        }
        break;
      }
      case 'shipped':
        steps.push(this.step('step.deliver', t('step.deliverHelp'), [], () => this.session.request('POST', `${base}/status`, { status: 'delivered' })));
        break;
      default:
        break;
    }
    if (order.status === 'pending_payment' || order.status === 'paid' || order.status === 'in_preparation') {
      steps.push(
        this.step(
          'step.cancel',
          t(order.status === 'pending_payment' ? 'step.cancelHelpUnpaid' : 'step.cancelHelpPaid'),
          [input('reason', t('step.cancelReason'), { required: true, maxlength: 500 })],
          (form) => this.session.request('POST', `${base}/cancel`, { reason: field(form, 'reason') }),
          'danger',
        ),
      );
    }
    return el(
      'section',
      { 'aria-labelledby': 'actions-h', class: 'actions' },
      el('h3', { id: 'actions-h' }, t('order.nextSteps')),
      ...(steps.length > 0 ? steps : [el('p', {}, t('order.noSteps', { status: statusLabel(order.status).toLowerCase() }))]),
      // Shipped units may come back: the order's returns, whatever its status.
      order.items.some((i) => i.shippedQuantity > 0)
        ? el(
            'div',
            { class: 'step' },
            el('button', { type: 'button', 'data-testid': 'order-returns', onclick: () => this.onReturns(order) }, t('order.returns')),
            el('p', { class: 'help' }, t(`order.returnStatus.${order.returnStatus}`), '. ', t('order.returnsHelp')),
          )
        : null,
    );
  }

  private step(labelKey: MessageKey, help: string, controls: Child[], run: (form: HTMLFormElement) => Promise<unknown>, kind = 'primary'): HTMLElement {
    const label = t(labelKey);
    const form = el(
      'form',
      { class: 'step', 'aria-label': label },
      ...controls,
      el('button', { type: 'submit', class: kind }, label),
      el('p', { class: 'help' }, help),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const error = byId('order-error');
      error.textContent = '';
      void busy(form, async () => {
        try {
          await this.run(label, () => run(form));
        } catch (err) {
          error.textContent = t('order.stepFailed', { label, message: (err as Error).message });
        }
      });
    });
    return form;
  }

  /** After a refund: the board told and the order drawn again (its payments and refunds changed). */
  private async refreshAfterRefund(id: string): Promise<void> {
    const fresh = await this.session.request<Order>('GET', `/orders/${id}`);
    this.onChanged(fresh);
    await this.load(id);
  }

  /** Sends one step; once it succeeded, the order is read again, the board told, the outcome announced. Rejects when the step failed. */
  private async run(label: string, request: () => Promise<unknown>): Promise<void> {
    const order = this.order;
    if (!order) return;
    await request();
    const fresh = await this.session.request<Order>('GET', `/orders/${order.id}`);
    this.onChanged(fresh);
    announce(t('order.stepDone', { label, number: fresh.number, status: statusLabel(fresh.status).toLowerCase() }));
    await this.load(order.id);
  }
}

function input(name: string, label: string, attrs: Record<string, string | number | boolean> = {}): HTMLElement {
  return labelled(label, el('input', { id: `f-${name}`, name, type: 'text', autocomplete: 'off', ...attrs }));
}

function list(items: Child[][] | string[], empty: string): HTMLElement {
  if (items.length === 0) return el('p', { class: 'muted' }, empty);
  return el('ul', {}, ...items.map((item) => el('li', {}, ...(Array.isArray(item) ? item : [item]))));
}
