import { el } from './dom';
import { formatNumber } from './format';
import { t } from './i18n';
import type { TallyLine } from './packing-tally';

/**
 * The packing view's table: per line the SKU, name, barcode, units still to ship and units in the
 * parcel, with − and + (large targets) while the order can ship. Each row is found again by
 * `data-product-id` to update its count in place, so a scan never redraws the table.
 */
export function packingLinesTable(lines: readonly TallyLine[], open: boolean, step: (line: TallyLine, delta: 1 | -1) => (e: Event) => void): HTMLElement {
  return el(
    'div',
    { class: 'table-scroll' },
    el(
      'table',
      { id: 'pack-lines', class: 'pack-lines' },
      el('caption', { class: 'visually-hidden' }, t('pack.caption')),
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          el('th', { scope: 'col' }, t('order.col.sku')),
          el('th', { scope: 'col' }, t('order.col.product')),
          el('th', { scope: 'col' }, t('pack.col.barcode')),
          el('th', { scope: 'col', class: 'num' }, t('pack.col.remaining')),
          el('th', { scope: 'col', class: 'num' }, t('pack.col.packed')),
        ),
      ),
      el(
        'tbody',
        {},
        ...lines.map((l) =>
          el(
            'tr',
            {
              'data-product-id': l.productId,
              'data-sku': l.sku,
              class: l.remaining > 0 && l.packed === l.remaining ? 'complete' : l.remaining === 0 ? 'none-left' : '',
            },
            el('td', { class: 'sku' }, l.sku),
            el('td', {}, l.name),
            el('td', { class: 'barcode' }, l.barcode ?? el('span', { class: 'muted' }, t('pack.noBarcode'))),
            el('td', { class: 'num', 'data-testid': 'remaining' }, formatNumber(l.remaining)),
            el(
              'td',
              { class: 'num pack-count' },
              open && l.remaining > 0
                ? el('button', { type: 'button', class: 'step-button', 'aria-label': t('pack.minus', { sku: l.sku }), onclick: step(l, -1) }, '−')
                : null,
              el('span', { class: 'packed', 'data-testid': 'packed' }, formatNumber(l.packed)),
              open && l.remaining > 0
                ? el('button', { type: 'button', class: 'step-button', 'aria-label': t('pack.plus', { sku: l.sku }), onclick: step(l, 1) }, '+')
                : null,
            ),
          ),
        ),
      ),
    ),
  );
}
