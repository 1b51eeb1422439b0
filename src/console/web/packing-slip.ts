import type { components } from '../../../generated/openapi';
import { byId, el, replaceChildren } from './dom';
import { formatDateTime, formatNumber } from './format';
import { t } from './i18n';

type Order = components['schemas']['Order'];
type Shipment = components['schemas']['Shipment'];
interface SlipLine {
  sku: string;
  name: string;
  quantity: number;
}

/**
 * What a slip lists: a shipment's own lines (its parcel), or the order's units still to ship (what
 * is left to pick; the whole order before anything shipped).
 */
export function slipLines(order: Order, shipment?: Shipment): SlipLine[] {
  if (shipment) {
    return shipment.lines.map((l) => {
      const item = order.items.find((i) => i.productId === l.productId);
      return { sku: item?.sku ?? l.productId, name: item?.name ?? '', quantity: l.quantity };
    });
  }
  return order.items.map((i) => ({ sku: i.sku, name: i.name, quantity: i.quantity - i.shippedQuantity - i.cancelledQuantity })).filter((l) => l.quantity > 0);
}

/**
 * The packing slip the warehouse picks from: order number, date, ship-to, and per line the SKU,
 * name and quantity with a box to tick — no prices. For one shipment, its lines and its carrier;
 * for the order, what is still to ship. Shown as its own view; the print style sheet prints only it.
 */
export class PackingSlip {
  private order: Order | undefined;
  private shipment: Shipment | undefined;

  constructor(private readonly onBack: () => void) {
    byId('slip-print').addEventListener('click', () => window.print());
    byId('slip-back').addEventListener('click', () => this.onBack());
  }

  get showing(): boolean {
    return this.order !== undefined;
  }

  show(order: Order, shipment?: Shipment): void {
    this.order = order;
    this.shipment = shipment;
    this.render();
  }

  clear(): void {
    this.order = undefined;
    this.shipment = undefined;
    replaceChildren(byId('slip'));
  }

  rerender(): void {
    if (this.order) this.render();
  }

  private render(): void {
    const order = this.order!;
    const shipment = this.shipment;
    const a = order.shippingAddress;
    const lines = slipLines(order, shipment);
    const units = lines.reduce((sum, l) => sum + l.quantity, 0);
    const partial = !shipment && order.items.some((i) => i.shippedQuantity > 0 || i.cancelledQuantity > 0);
    replaceChildren(
      byId('slip'),
      el('h2', { id: 'slip-title', tabindex: -1 }, t('slip.title'), ' ', el('span', { class: 'slip-number' }, order.number)),
      el(
        'dl',
        { class: 'slip-meta' },
        el('dt', {}, t('slip.order')),
        el('dd', { 'data-testid': 'slip-number' }, order.number),
        el('dt', {}, t('slip.date')),
        el('dd', {}, formatDateTime(order.createdAt)),
        shipment ? el('dt', {}, t('slip.shipment')) : null,
        shipment ? el('dd', { 'data-testid': 'slip-shipment' }, `${shipment.carrierName} ${shipment.trackingCode}`) : null,
        el('dt', {}, t('slip.printed')),
        el('dd', {}, formatDateTime(new Date().toISOString())),
      ),
      partial ? el('p', { class: 'muted' }, t('slip.toShipNote')) : null,
      el(
        'section',
        { class: 'slip-address', 'aria-labelledby': 'slip-ship-h' },
        el('h3', { id: 'slip-ship-h' }, t('order.shipTo')),
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
        'table',
        { class: 'slip-lines' },
        el('caption', {}, t('slip.summary', { lines: lines.length, units: formatNumber(units) })),
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            el('th', { scope: 'col', class: 'tick' }, t('slip.picked')),
            el('th', { scope: 'col' }, t('order.col.sku')),
            el('th', { scope: 'col' }, t('order.col.product')),
            el('th', { scope: 'col', class: 'num' }, t('slip.quantity')),
          ),
        ),
        el(
          'tbody',
          {},
          ...lines.map((l, i) =>
            el(
              'tr',
              { 'data-sku': l.sku },
              el(
                'td',
                { class: 'tick' },
                el('input', { type: 'checkbox', id: `slip-pick-${i}`, 'aria-label': t('slip.pickedLine', { sku: l.sku, name: l.name }) }),
              ),
              el('td', { class: 'sku' }, l.sku),
              el('td', {}, l.name),
              el('td', { class: 'num qty' }, formatNumber(l.quantity)),
            ),
          ),
        ),
      ),
      el('p', { class: 'slip-sign' }, t('slip.preparedBy')),
    );
  }
}
