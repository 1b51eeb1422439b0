import type { components } from '../../../generated/openapi';
import { busy, el, labelled, replaceChildren } from './dom';
import { formatDateTime, formatNumber } from './format';
import { t } from './i18n';

type Order = components['schemas']['Order'];
type Shipment = components['schemas']['Shipment'];

/** Tracking statuses that still mean "the carrier does not have the parcel" (as the service decides it). */
const NOT_WITH_CARRIER: ReadonlySet<string> = new Set(['pre_transit', 'unknown']);

/** Whether staff may cancel the shipment: in transit on paper, the carrier not holding it yet. */
export const cancellable = (s: Shipment): boolean => s.status === 'in_transit' && (s.trackingStatus === null || NOT_WITH_CARRIER.has(s.trackingStatus));

const units = (s: Shipment): number => s.lines.reduce((n, l) => n + l.quantity, 0);

export interface ShipmentActions {
  slip(shipment: Shipment): void;
  /** Cancels the shipment (the caller shows the outcome); rejects with a message to show beside it. */
  cancel(shipment: Shipment, reason: string): Promise<void>;
}

/**
 * An order's shipments, each with its lines (its packing slip), its slip button and, while the carrier
 * does not have it, "Annulla spedizione" behind an in-place confirmation (with an optional reason).
 */
export function shipmentsSection(order: Order, actions: ShipmentActions): HTMLElement {
  const item = (productId: string) => order.items.find((i) => i.productId === productId);
  return el(
    'section',
    { 'aria-labelledby': 'shipments-h', class: 'shipments' },
    el('h3', { id: 'shipments-h' }, t('order.shipments')),
    order.shipments.length === 0
      ? el('p', { class: 'muted' }, t('order.noShipments'))
      : el(
          'ul',
          { class: 'shipment-list' },
          ...order.shipments.map((s) => {
            const actionsBox = el('div', { class: 'row-actions' });
            const drawButtons = (): void => {
              replaceChildren(
                actionsBox,
                el(
                  'button',
                  { type: 'button', 'aria-label': t('order.shipmentSlipLabel', { tracking: s.trackingCode }), onclick: () => actions.slip(s) },
                  t('order.shipmentSlip'),
                ),
                cancellable(s)
                  ? el(
                      'button',
                      {
                        type: 'button',
                        class: 'danger',
                        'aria-label': t('order.cancelShipmentLabel', { tracking: s.trackingCode }),
                        onclick: () => confirmCancel(),
                      },
                      t('order.cancelShipment'),
                    )
                  : null,
              );
            };
            const confirmCancel = (): void => {
              const reasonId = `cancel-shipment-reason-${s.id}`;
              const error = el('p', { class: 'error', role: 'alert' });
              const form = el(
                'form',
                { class: 'confirm', 'aria-label': t('order.cancelShipmentLabel', { tracking: s.trackingCode }) },
                el(
                  'p',
                  { class: 'confirm-question', tabindex: -1 },
                  t('order.cancelShipmentConfirm', { tracking: s.trackingCode, units: formatNumber(units(s)) }),
                ),
                s.carrier === 'easypost' ? el('p', { class: 'help' }, t('order.cancelShipmentLabelRefund')) : null,
                labelled(t('order.cancelShipmentReason'), el('input', { id: reasonId, name: 'reason', type: 'text', maxlength: 500, autocomplete: 'off' })),
                el(
                  'div',
                  { class: 'buttons' },
                  el('button', { type: 'submit', class: 'danger' }, t('order.cancelShipmentYes')),
                  el(
                    'button',
                    {
                      type: 'button',
                      onclick: () => {
                        drawButtons();
                        actionsBox.querySelector<HTMLElement>('button.danger')?.focus();
                      },
                    },
                    t('order.cancelShipmentNo'),
                  ),
                ),
                error,
              );
              form.addEventListener('submit', (e) => {
                e.preventDefault();
                const reason = (form.querySelector<HTMLInputElement>(`#${reasonId}`)?.value ?? '').trim();
                void busy(form, async () => {
                  try {
                    await actions.cancel(s, reason);
                  } catch (err) {
                    error.textContent = t('order.cancelShipmentFailed', { message: (err as Error).message });
                  }
                });
              });
              replaceChildren(actionsBox, form);
              form.querySelector<HTMLElement>('.confirm-question')?.focus();
            };
            drawButtons();
            return el(
              'li',
              { class: `shipment shipment-${s.status}`, 'data-shipment-id': s.id, 'data-tracking': s.trackingCode },
              el(
                'p',
                { class: 'shipment-head' },
                `${s.carrierName} · `,
                s.trackingUrl ? el('a', { href: s.trackingUrl, target: '_blank', rel: 'noopener noreferrer' }, s.trackingCode) : s.trackingCode,
                ' · ',
                el('span', { 'data-testid': 'shipment-status' }, t(`shipment.${s.status}`)),
                ` · ${formatDateTime(s.createdAt)} · ${t('order.shipmentUnits', { units: formatNumber(units(s)) })}`,
              ),
              el(
                'ul',
                { class: 'shipment-lines' },
                ...s.lines.map((l) => {
                  const line = item(l.productId);
                  return el('li', {}, t('order.shipmentLine', { quantity: formatNumber(l.quantity), sku: line?.sku ?? l.productId, name: line?.name ?? '' }));
                }),
              ),
              actionsBox,
            );
          }),
        ),
  );
}
