import type { Response } from 'express';
import type { Actor, QueryOf } from '../platform/http/contract';
import type { ProductsService } from '../products';
import type { OrdersService } from '../orders';
import { PRODUCT_COLUMNS } from './import-row';
import { CsvResponseWriter, euroOfCents, type CsvDialect, type CsvValue } from './csv';

/** Rows read per keyset page: memory stays that of one page whatever the catalog's size. */
const PAGE = 100;

const today = (): string => new Date().toISOString().slice(0, 10);

/** Money as the dialect writes it: euro with a decimal comma (excel-it) or integer cents (rfc4180). */
const money = (dialect: CsvDialect, cents: number): CsvValue => (dialect === 'excel-it' ? euroOfCents(cents) : cents);

/**
 * The catalog as CSV (docs/csv.md): the list's filters, sorted by SKU, a keyset page at a time, each
 * page written (and the client's back-pressure awaited) before the next is read.
 */
export async function exportProducts(products: ProductsService, query: QueryOf<'exportProducts'>, actor: Actor, res: Response): Promise<void> {
  const dialect = query.dialect ?? 'excel-it';
  const filter = {
    limit: PAGE,
    sort: 'sku' as const,
    ...(query.q !== undefined ? { q: query.q } : {}),
    ...(query.category !== undefined ? { category: query.category } : {}),
    ...(query.lowStock !== undefined ? { lowStock: query.lowStock } : {}),
    ...(query.archived !== undefined ? { active: !query.archived } : {}),
  };
  // The first page is read before the status line goes out, so a bad filter is still a 400 problem.
  let page = await products.list(filter, actor);
  const out = new CsvResponseWriter(res, dialect, `prodotti-${today()}.csv`);
  await out.row(PRODUCT_COLUMNS.filter((c) => c !== (dialect === 'excel-it' ? 'priceCents' : 'price')));
  for (;;) {
    for (const p of page.items) {
      await out.row([
        p.sku,
        p.name,
        p.description,
        p.category,
        money(dialect, p.unitPriceCents),
        p.vatRate,
        p.reorderLevel,
        p.barcode,
        !p.active,
        p.onHand,
        p.reserved,
        p.available,
        // Staff's view (exports are staff-only) always carries purchasing's fields.
        p.supplierSku ?? null,
        p.reorderQuantity ?? null,
        p.incoming ?? 0,
      ]);
    }
    if (!page.nextCursor) break;
    page = await products.list({ ...filter, cursor: page.nextCursor }, actor);
  }
  await out.end();
}

/** Orders as CSV, one row per order line, newest order first (the list's order), a keyset page at a time. */
export async function exportOrders(orders: OrdersService, query: QueryOf<'exportOrders'>, actor: Actor, res: Response): Promise<void> {
  const dialect = query.dialect ?? 'excel-it';
  const filter = {
    limit: PAGE,
    ...(query.status !== undefined ? { status: query.status } : {}),
    ...(query.from !== undefined ? { createdFrom: query.from } : {}),
    ...(query.to !== undefined ? { createdTo: query.to } : {}),
  };
  let page = await orders.exportPage(filter, actor);
  const out = new CsvResponseWriter(res, dialect, `ordini-${today()}.csv`);
  const euro = dialect === 'excel-it';
  await out.row([
    'orderNumber',
    'orderId',
    'createdAt',
    'status',
    'customerName',
    'customerEmail',
    'sku',
    'name',
    'quantity',
    'shippedQuantity',
    'cancelledQuantity',
    'vatRate',
    euro ? 'unitPrice' : 'unitPriceCents',
    euro ? 'net' : 'netCents',
    euro ? 'vat' : 'vatCents',
    euro ? 'gross' : 'grossCents',
  ]);
  for (;;) {
    for (const o of page.orders) {
      for (const l of o.lines) {
        await out.row([
          o.number,
          o.id,
          o.createdAt,
          o.status,
          o.customer.name,
          o.customer.email,
          l.sku,
          l.name,
          l.quantity,
          l.shippedQuantity,
          l.cancelledQuantity,
          l.vatRate,
          money(dialect, l.unitPriceCents),
          money(dialect, l.netCents),
          money(dialect, l.vatCents),
          money(dialect, l.grossCents),
        ]);
      }
    }
    if (!page.nextCursor) break;
    page = await orders.exportPage({ ...filter, cursor: page.nextCursor }, actor);
  }
  await out.end();
}
