import { el } from './dom';
import { formatNumber } from './format';
import { t } from './i18n';

/** A line of the receiving view: what the order still expects and what was scanned so far. */
export interface ReceivingLine {
  productId: string;
  sku: string;
  name: string;
  barcode: string | null;
  expected: number;
  counted: number;
}

/** A barcode as a scanner may read it: a UPC-A (12 digits) is the EAN-13 with a leading zero. */
export const gtin = (code: string): string => code.trim().padStart(14, '0');

/** The receiving view's table: each line's SKU, name, units expected and units counted so far. */
export function receivingTable(lines: readonly ReceivingLine[]): HTMLElement {
  return el(
    'table',
    { id: 'rcv-lines' },
    el('caption', { class: 'visually-hidden' }, t('rcv.caption')),
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        el('th', { scope: 'col' }, t('po.col.sku')),
        el('th', { scope: 'col' }, t('po.col.name')),
        el('th', { scope: 'col', class: 'num' }, t('rcv.expected')),
        el('th', { scope: 'col', class: 'num' }, t('rcv.counted')),
      ),
    ),
    el(
      'tbody',
      {},
      ...lines.map((l) =>
        el(
          'tr',
          { 'data-sku': l.sku },
          el('td', {}, l.sku),
          el('td', {}, l.name),
          el('td', { class: 'num' }, formatNumber(l.expected)),
          el('td', { class: 'num', 'data-testid': 'counted' }, formatNumber(l.counted)),
        ),
      ),
    ),
  );
}
