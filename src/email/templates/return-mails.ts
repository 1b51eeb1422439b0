import type { ReturnUpdatedData } from '../../../generated/asyncapi';
import { italianDate } from './format';
import { html, joinHtml, oneLine, type SafeHtml } from './html';
import { mail, p, type RenderedMail } from './layout';
import type { OrderView } from './order-mails';

/** Where returned goods go and how long the customer has (WAREHOUSE_ADDRESS_*, RETURN_WINDOW_DAYS). */
export interface ReturnDesk {
  warehouse: {
    company: string;
    line1: string;
    line2: string | null;
    city: string;
    postalCode: string;
    province: string | null;
    country: string;
  } | null;
  returnWindowDays: number;
}

const FOOTNOTE = 'Ricevi questa email per un reso chiesto con il tuo account. Puoi disattivare le email sugli ordini dalle impostazioni del tuo account.';

/**
 * `return.updated` to `approved` (not a carrier's parcel sent back): the return's number, what to send
 * back, and how — packed with the number visible, to the warehouse, within the window.
 */
export function returnAuthorizedMail(event: ReturnUpdatedData, order: OrderView, desk: ReturnDesk): RenderedMail {
  const number = oneLine(event.number);
  const orderNumber = oneLine(order.number);
  const byProduct = new Map(order.items.map((i) => [i.productId, i]));
  const lines = event.lines.map((l) => {
    const item = byProduct.get(l.productId);
    return { quantity: l.quantity, name: oneLine(item?.name ?? l.productId), sku: oneLine(item?.sku ?? '') };
  });
  const address = desk.warehouse ? warehouseLines(desk.warehouse) : [];
  const deadline = new Date(Date.now() + desk.returnWindowDays * 24 * 60 * 60 * 1000).toISOString();
  const steps = [
    'Imballa con cura la merce qui sotto, se possibile nella confezione originale.',
    `Scrivi il numero del reso ${number} in modo ben visibile sul pacco.`,
    address.length > 0 ? `Spedisci il pacco al nostro magazzino: ${address.join(', ')}.` : 'Spedisci il pacco al nostro magazzino: ti scriveremo l’indirizzo.',
    `Fallo entro il ${italianDate(deadline)} (${desk.returnWindowDays} giorni da oggi).`,
  ];
  return mail({
    subject: `Reso ${number} autorizzato (ordine ${orderNumber})`,
    heading: `Reso autorizzato: ${number}`,
    body: joinHtml([
      p(`Gentile ${oneLine(order.customer.name)},`),
      p(`abbiamo autorizzato il reso ${number} per il tuo ordine ${orderNumber}.`),
      html`<p style="margin:0 0 6px;"><strong>Da rispedire</strong></p>
        <ul style="margin:0 0 14px;padding-left:20px;">
          ${lines.map((l) => html`<li>${l.quantity} × ${l.name} <span style="color:#6b7280;font-size:12px;">${l.sku}</span></li>`)}
        </ul>`,
      html`<p style="margin:0 0 6px;"><strong>Cosa fare</strong></p>
        <ol style="margin:0 0 14px;padding-left:20px;">
          ${steps.map((s) => html`<li>${s}</li>`)}
        </ol>`,
      address.length > 0 ? warehouseHtml(address) : html``,
      p('Quando riceviamo il pacco controlliamo la merce e ti scriviamo per il rimborso.'),
    ]),
    text: [
      `Gentile ${oneLine(order.customer.name)},`,
      '',
      `abbiamo autorizzato il reso ${number} per il tuo ordine ${orderNumber}.`,
      '',
      'Da rispedire:',
      ...lines.map((l) => `- ${l.quantity} × ${l.name} (${l.sku})`),
      '',
      'Cosa fare:',
      ...steps.map((s, i) => `${i + 1}. ${s}`),
      '',
      'Quando riceviamo il pacco controlliamo la merce e ti scriviamo per il rimborso.',
    ],
    footnote: FOOTNOTE,
  });
}

function warehouseLines(w: NonNullable<ReturnDesk['warehouse']>): string[] {
  const city = [w.postalCode, w.city, w.province ? `(${w.province})` : null].filter(Boolean).join(' ');
  return [w.company, w.line1, w.line2, city, w.country].filter((l): l is string => Boolean(l)).map(oneLine);
}

function warehouseHtml(lines: string[]): SafeHtml {
  return html`<p style="margin:0 0 14px;"><strong>Indirizzo del magazzino</strong><br />${lines.map((l, i) => (i === 0 ? html`${l}` : html`<br />${l}`))}</p>`;
}
