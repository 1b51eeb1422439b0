import type { components } from '../../../generated/openapi';
import type { OrderStatusChangedData, RefundUpdatedData } from '../../../generated/asyncapi';
import { euro, httpsLink, italianDate } from './format';
import { html, joinHtml, oneLine, type SafeHtml } from './html';
import { amount, button, mail, p, type RenderedMail } from './layout';

/** The order as the API shows it to staff (GET /orders/{id}): lines, totals, address, payments, shipments. */
export type OrderView = components['schemas']['Order'];
type Shipment = components['schemas']['Shipment'];
type Address = components['schemas']['Address'];

const ORDER_FOOTNOTE = 'Ricevi questa email per un ordine fatto con il tuo account. Puoi disattivare le email sugli ordini dalle impostazioni del tuo account.';

/** `order.status_changed` to `paid`: the confirmation, with lines, VAT, totals and the address. */
export function orderConfirmedMail(event: OrderStatusChangedData, order: OrderView): RenderedMail {
  void event; // the order as it is now says everything the confirmation shows
  return mail({
    subject: `Ordine ${numberOf(order)} confermato`,
    heading: `Grazie! Il tuo ordine ${numberOf(order)} è confermato`,
    body: joinHtml([
      p(greeting(order)),
      p(`abbiamo ricevuto il pagamento del tuo ordine ${numberOf(order)} del ${italianDate(order.createdAt)}: lo stiamo preparando.`),
      linesHtml(order),
      addressHtml(order.shippingAddress),
    ]),
    text: [
      `${greeting(order)}`,
      '',
      `abbiamo ricevuto il pagamento del tuo ordine ${numberOf(order)} del ${italianDate(order.createdAt)}: lo stiamo preparando.`,
      '',
      ...linesText(order),
      '',
      ...addressText(order.shippingAddress),
    ],
    footnote: ORDER_FOOTNOTE,
  });
}

/**
 * A parcel left (`order.status_changed` to `partially_shipped` or `shipped` naming its shipment): what
 * is in it, the carrier, the tracking code, and the tracking link only when it is https:. When more
 * is still to come, the mail says so.
 */
export function orderShippedMail(event: OrderStatusChangedData, order: OrderView): RenderedMail {
  // The parcel the event announces (one mail per shipment); the latest one for an event that names none.
  const shipment = order.shipments.find((s) => s.id === event.shipmentId) ?? latestShipment(order);
  const link = httpsLink(shipment?.trackingUrl);
  const carrier = shipment ? oneLine(shipment.carrierName) : null;
  const tracking = shipment ? oneLine(shipment.trackingCode) : null;
  const partial = event.to === 'partially_shipped';
  const contents = shipment ? parcelContents(shipment, order) : [];
  const what = partial
    ? `abbiamo spedito una parte del tuo ordine ${numberOf(order)}: il resto partirà con una prossima spedizione, e ti scriveremo anche allora.`
    : `il tuo ordine ${numberOf(order)} è stato spedito.`;
  return mail({
    subject: partial ? `Ordine ${numberOf(order)} spedito in parte` : `Ordine ${numberOf(order)} spedito`,
    heading: partial ? `Una parte del tuo ordine ${numberOf(order)} è in viaggio` : `Il tuo ordine ${numberOf(order)} è in viaggio`,
    body: joinHtml([
      p(greeting(order)),
      p(what),
      shipment
        ? html`<table role="presentation" cellpadding="0" cellspacing="0" style="margin:0 0 14px;font-size:15px;">
            <tr>
              <td style="padding:2px 16px 2px 0;color:#6b7280;">Corriere</td>
              <td style="padding:2px 0;font-weight:bold;">${carrier}</td>
            </tr>
            <tr>
              <td style="padding:2px 16px 2px 0;color:#6b7280;">Codice di tracciamento</td>
              <td style="padding:2px 0;font-weight:bold;font-family:monospace;">${tracking}</td>
            </tr>
          </table>`
        : html``,
      link ? button(link, 'Segui la spedizione') : html``,
      contents.length > 0
        ? html`<p style="margin:0 0 6px;"><strong>Nel pacco</strong></p>
            <ul style="margin:0 0 14px;padding-left:20px;">
              ${contents.map((c) => html`<li>${c.quantity} × ${c.name} <span style="color:#6b7280;font-size:12px;">${c.sku}</span></li>`)}
            </ul>`
        : html``,
      addressHtml(order.shippingAddress),
    ]),
    text: [
      greeting(order),
      '',
      what,
      ...(shipment ? ['', `Corriere: ${carrier}`, `Codice di tracciamento: ${tracking}`] : []),
      ...(link ? [`Segui la spedizione: ${link}`] : []),
      ...(contents.length > 0 ? ['', 'Nel pacco:', ...contents.map((c) => `- ${c.quantity} × ${c.name} (${c.sku})`)] : []),
      '',
      ...addressText(order.shippingAddress),
    ],
    footnote: ORDER_FOOTNOTE,
  });
}

/** The parcel's lines with the order's names for them, one line each. */
function parcelContents(shipment: Shipment, order: OrderView): { quantity: number; name: string; sku: string }[] {
  return (shipment.lines ?? []).map((line) => {
    const item = order.items.find((i) => i.productId === line.productId);
    return { quantity: line.quantity, name: oneLine(item?.name ?? line.productId), sku: oneLine(item?.sku ?? '') };
  });
}

/** `order.status_changed` to `delivered`. */
export function orderDeliveredMail(event: OrderStatusChangedData, order: OrderView): RenderedMail {
  void event;
  return mail({
    subject: `Ordine ${numberOf(order)} consegnato`,
    heading: `Il tuo ordine ${numberOf(order)} è stato consegnato`,
    body: joinHtml([
      p(greeting(order)),
      p(`il tuo ordine ${numberOf(order)} risulta consegnato. Grazie per aver scelto QuickStock!`),
      addressHtml(order.shippingAddress),
    ]),
    text: [
      greeting(order),
      '',
      `il tuo ordine ${numberOf(order)} risulta consegnato. Grazie per aver scelto QuickStock!`,
      '',
      ...addressText(order.shippingAddress),
    ],
    footnote: ORDER_FOOTNOTE,
  });
}

/** `order.status_changed` to `cancelled`, with the refund when money was captured. */
export function orderCancelledMail(event: OrderStatusChangedData, order: OrderView): RenderedMail {
  const refundCents = order.payments.filter((pay) => pay.status === 'captured' || pay.status === 'refunded').reduce((sum, pay) => sum + pay.amountCents, 0);
  const reason = event.reason ? oneLine(event.reason) : null;
  const refundLine = refundCents > 0 ? `Ti rimborsiamo ${euro(refundCents)} con lo stesso metodo di pagamento usato per l'ordine.` : null;
  return mail({
    subject: `Ordine ${numberOf(order)} annullato`,
    heading: `Il tuo ordine ${numberOf(order)} è stato annullato`,
    body: joinHtml([
      p(greeting(order)),
      p(`il tuo ordine ${numberOf(order)} del ${italianDate(order.createdAt)} è stato annullato.`),
      reason ? p(html`Motivo: ${reason}`) : html``,
      refundCents > 0 ? p(html`Ti rimborsiamo ${amount(euro(refundCents))} con lo stesso metodo di pagamento usato per l'ordine.`) : html``,
      linesHtml(order),
    ]),
    text: [
      greeting(order),
      '',
      `il tuo ordine ${numberOf(order)} del ${italianDate(order.createdAt)} è stato annullato.`,
      ...(reason ? [`Motivo: ${reason}`] : []),
      ...(refundLine ? ['', refundLine] : []),
      '',
      ...linesText(order),
    ],
    footnote: ORDER_FOOTNOTE,
  });
}

/**
 * `refund.updated` with status `succeeded`: one mail per refund that went back — its amount, its
 * reason, and, when it is not the whole payment at once, what went back of the payment so far of
 * what was paid (the event's figures: the mail reads the same however late it is sent or re-sent).
 */
export function refundMadeMail(event: RefundUpdatedData, order: OrderView): RenderedMail {
  const paid = event.paymentRefundedCents + event.balanceCents;
  const whole = event.amountCents >= paid;
  const reason = oneLine(event.reason);
  const what = `Abbiamo rimborsato ${euro(event.amountCents)} per il tuo ordine ${numberOf(order)}.`;
  const shown = html`Abbiamo rimborsato ${amount(euro(event.amountCents))} per il tuo ordine ${numberOf(order)}.`;
  const soFar = `In tutto finora ti abbiamo rimborsato ${euro(event.paymentRefundedCents)} dei ${euro(paid)} pagati.`;
  const soFarShown = html`In tutto finora ti abbiamo rimborsato ${amount(euro(event.paymentRefundedCents))} dei ${amount(euro(paid))} pagati.`;
  const when = "L'accredito arriva con i tempi del tuo metodo di pagamento, di solito entro 5-10 giorni lavorativi.";
  return mail({
    subject: `Rimborso per l'ordine ${numberOf(order)}`,
    heading: whole ? `Rimborso di ${euro(event.amountCents)} per l'ordine ${numberOf(order)}` : `Rimborso parziale per l'ordine ${numberOf(order)}`,
    body: joinHtml([p(greeting(order)), p(shown), p(html`Motivo: ${reason}`), whole ? html`` : p(soFarShown), p(when)]),
    text: [greeting(order), '', what, `Motivo: ${reason}`, ...(whole ? [] : [soFar]), when],
    footnote: ORDER_FOOTNOTE,
  });
}

/** The order's number on one line (it is ours, but nothing that reaches a mail is trusted to be one line). */
function numberOf(order: OrderView): string {
  return oneLine(order.number);
}

function greeting(order: OrderView): string {
  return `Gentile ${oneLine(order.customer.name)},`;
}

function latestShipment(order: OrderView): Shipment | null {
  return [...order.shipments].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt))[0] ?? null;
}

const CELL = 'padding:6px 8px;border-bottom:1px solid #e5e7eb;';
const NUM = `${CELL}text-align:right;white-space:nowrap;`;

function linesHtml(order: OrderView): SafeHtml {
  const rows = order.items.map(
    (line) =>
      html`<tr>
        <td style="${CELL}">${oneLine(line.name)}<br /><span style="color:#6b7280;font-size:12px;">${oneLine(line.sku)}</span></td>
        <td style="${NUM}">${line.quantity}</td>
        <td style="${NUM}">${euro(line.unitPriceCents)}</td>
        <td style="${NUM}">${line.vatRate}%</td>
        <td style="${NUM}">${euro(line.netCents)}</td>
      </tr>`,
  );
  const total = (label: string, cents: number, bold = false) =>
    html`<tr>
      <td colspan="4" style="padding:4px 8px;text-align:right;${bold ? 'font-weight:bold;' : ''}">${label}</td>
      <td style="padding:4px 8px;text-align:right;white-space:nowrap;${bold ? 'font-weight:bold;' : ''}">${euro(cents)}</td>
    </tr>`;
  return html`<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="border-collapse:collapse;font-size:14px;margin:8px 0 18px;">
    <thead>
      <tr style="background:#f4f5f7;">
        <th align="left" style="${CELL}">Articolo</th>
        <th align="right" style="${CELL}">Q.tà</th>
        <th align="right" style="${CELL}">Prezzo unitario</th>
        <th align="right" style="${CELL}">IVA</th>
        <th align="right" style="${CELL}">Imponibile</th>
      </tr>
    </thead>
    <tbody>
      ${rows}
    </tbody>
    <tfoot>
      ${total('Imponibile', order.totals.netCents)}${total('IVA', order.totals.vatCents)}${total('Totale', order.totals.grossCents, true)}
    </tfoot>
  </table>`;
}

function linesText(order: OrderView): string[] {
  return [
    'Articoli:',
    ...order.items.map(
      (l) => `- ${l.quantity} × ${oneLine(l.name)} (${oneLine(l.sku)}), ${euro(l.unitPriceCents)} cad. + IVA ${l.vatRate}%: ${euro(l.netCents)}`,
    ),
    '',
    `Imponibile: ${euro(order.totals.netCents)}`,
    `IVA: ${euro(order.totals.vatCents)}`,
    `Totale: ${euro(order.totals.grossCents)}`,
  ];
}

function addressLines(a: Address): string[] {
  const city = [a.postalCode, a.city, a.province ? `(${a.province})` : null].filter(Boolean).join(' ');
  return [a.name, a.line1, a.line2 ?? null, city, a.country].filter((l): l is string => Boolean(l)).map(oneLine);
}

function addressHtml(a: Address): SafeHtml {
  const lines = addressLines(a).map((l, i) => (i === 0 ? html`${l}` : html`<br />${l}`));
  return html`<p style="margin:0 0 14px;"><strong>Indirizzo di spedizione</strong><br />${lines}</p>`;
}

function addressText(a: Address): string[] {
  return ['Indirizzo di spedizione:', ...addressLines(a)];
}
