import PDFDocument from 'pdfkit';
import type { WarehouseAddress } from '../platform/config';
import type { Schemas } from '../platform/http/contract';
import type { PurchaseOrderView } from './purchase-order-view';

const euro = new Intl.NumberFormat('it-IT', { style: 'currency', currency: 'EUR', useGrouping: 'always' } as Intl.NumberFormatOptions);
const money = (cents: number): string => euro.format(cents / 100);
const units = new Intl.NumberFormat('it-IT', { useGrouping: 'always' } as Intl.NumberFormatOptions);
const italianDate = (iso: string): string => new Intl.DateTimeFormat('it-IT', { dateStyle: 'long', timeZone: 'Europe/Rome' }).format(new Date(iso));

const STATUS_WORDS: Record<PurchaseOrderView['status'], string> = {
  draft: 'Bozza',
  sent: 'Inviato',
  partially_received: 'Ricevuto in parte',
  received: 'Ricevuto',
  cancelled: 'Annullato',
};

/** The table's columns: label, x, width, alignment. */
const COLUMNS = [
  { label: 'Codice', x: 50, width: 85, align: 'left' },
  { label: 'Cod. fornitore', x: 137, width: 80, align: 'left' },
  { label: 'Descrizione', x: 219, width: 150, align: 'left' },
  { label: 'Q.tà', x: 371, width: 40, align: 'right' },
  { label: 'Prezzo unit.', x: 413, width: 65, align: 'right' },
  { label: 'Totale', x: 480, width: 65, align: 'right' },
] as const;

function warehouseLines(w: WarehouseAddress | null): string[] {
  if (!w) return ['(indirizzo del magazzino non configurato: WAREHOUSE_ADDRESS_*)'];
  return [
    w.company,
    w.line1,
    ...(w.line2 ? [w.line2] : []),
    `${w.postalCode} ${w.city}${w.province ? ` (${w.province})` : ''} ${w.country}`,
    ...(w.phone ? [`Tel. ${w.phone}`] : []),
    ...(w.email ? [w.email] : []),
  ];
}

/**
 * The purchase order as the supplier receives it: an A4 PDF in Italian made with pdfkit (no browser),
 * with the number, the supplier, the delivery address (our warehouse) and each line with both codes,
 * quantity, unit cost and total. Text, not images, so it can be searched and read back.
 */
export function purchaseOrderPdf(order: PurchaseOrderView, supplier: Schemas['Supplier'], warehouse: WarehouseAddress | null): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: `Ordine di acquisto ${order.number}`, Author: 'QuickStock' } });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  doc.font('Helvetica-Bold').fontSize(18).text(`Ordine di acquisto ${order.number}`);
  doc.font('Helvetica').fontSize(10).moveDown(0.3);
  doc.text(`Data: ${italianDate(order.sentAt ?? order.createdAt)}    Stato: ${STATUS_WORDS[order.status]}`);
  if (order.expectedAt) doc.text(`Consegna richiesta entro: ${italianDate(`${order.expectedAt}T12:00:00Z`)}`);
  doc.moveDown();

  const top = doc.y;
  doc.font('Helvetica-Bold').text('Fornitore', 50, top);
  doc
    .font('Helvetica')
    .text(
      [
        supplier.name,
        ...(supplier.vatNumber ? [`P. IVA ${supplier.vatNumber}`] : []),
        ...(supplier.email ? [supplier.email] : []),
        ...(supplier.phone ? [supplier.phone] : []),
      ].join('\n'),
      50,
      doc.y,
      { width: 230 },
    );
  const leftBottom = doc.y;
  doc.font('Helvetica-Bold').text('Consegnare a', 310, top);
  doc.font('Helvetica').text(warehouseLines(warehouse).join('\n'), 310, doc.y, { width: 235 });
  doc.y = Math.max(leftBottom, doc.y) + 20;

  const header = doc.y;
  doc.font('Helvetica-Bold');
  for (const c of COLUMNS) doc.text(c.label, c.x, header, { width: c.width, align: c.align });
  doc
    .moveTo(50, doc.y + 2)
    .lineTo(545, doc.y + 2)
    .stroke();
  doc.font('Helvetica');
  let y = doc.y + 6;
  for (const line of order.lines) {
    if (y > 760) {
      doc.addPage();
      y = 50;
    }
    const cells = [line.sku, line.supplierSku ?? '—', line.name, units.format(line.quantity), money(line.unitCostCents), money(line.totalCents)];
    let rowBottom = y;
    COLUMNS.forEach((c, i) => {
      doc.text(cells[i] ?? '', c.x, y, { width: c.width, align: c.align });
      rowBottom = Math.max(rowBottom, doc.y);
    });
    y = rowBottom + 4;
  }
  doc.moveTo(50, y).lineTo(545, y).stroke();
  doc.font('Helvetica-Bold').text(`Totale imponibile: ${money(order.totalCents)}`, 300, y + 8, { width: 245, align: 'right' });
  doc
    .font('Helvetica')
    .fontSize(9)
    .text('Importi in euro, IVA esclusa.', 300, doc.y + 2, { width: 245, align: 'right' });
  if (order.notes) {
    doc.fontSize(10).moveDown();
    doc.font('Helvetica-Bold').text('Note', 50, doc.y);
    doc.font('Helvetica').text(order.notes, 50, doc.y, { width: 495 });
  }
  doc.end();
  return done;
}
