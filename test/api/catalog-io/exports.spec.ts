import { expect } from 'chai';
import { asAdmin, createProduct, customer, placedOrder } from '../../support/api';
import { exportCsv, freshPrefix, lines } from './csv-helpers';

describe('CSV exports', () => {
  it('exports products in Italian Excel form: BOM, semicolons, CRLF, euro with a decimal comma; rfc4180 with cents and no BOM', async () => {
    const token = await asAdmin();
    const p = freshPrefix();
    await createProduct({
      sku: `${p}-1`,
      name: 'Caffè; "espresso"',
      category: p,
      unitPriceCents: 123456,
      vatRate: 10,
      reorderLevel: 2,
      initialStock: 7,
      supplierSku: '=F-1',
      reorderQuantity: 40,
    });
    const excel = await exportCsv(token, '/api/v1/products/export', { category: p });
    expect(excel.status).to.equal(200);
    expect(excel.headers.get('content-type')).to.equal('text/csv; charset=utf-8');
    expect(excel.headers.get('content-disposition')).to.match(/^attachment; filename="prodotti-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(excel.text.startsWith('\uFEFF')).to.equal(true);
    expect(lines(excel.text)).to.deep.equal([
      'sku;name;description;category;price;vatRate;reorderLevel;barcode;archived;onHand;reserved;available;supplierSku;reorderQuantity;incoming',
      `${p}-1;"Caffè; ""espresso""";;${p};1234,56;10;2;;false;7;0;7;'=F-1;40;0`,
    ]);
    const rfc = await exportCsv(token, '/api/v1/products/export', { category: p, dialect: 'rfc4180', archived: 'false' });
    expect(rfc.text.startsWith('\uFEFF')).to.equal(false);
    expect(lines(rfc.text)).to.deep.equal([
      'sku,name,description,category,priceCents,vatRate,reorderLevel,barcode,archived,onHand,reserved,available,supplierSku,reorderQuantity,incoming',
      `${p}-1,"Caffè; ""espresso""",,${p},123456,10,2,,false,7,0,7,'=F-1,40,0`,
    ]);
    const archivedOnly = await exportCsv(token, '/api/v1/products/export', { category: p, archived: 'true' });
    expect(lines(archivedOnly.text)).to.have.length(1);
  });

  it('pages through more products than one page, in SKU order, each once', async () => {
    const token = await asAdmin();
    const p = freshPrefix();
    for (let i = 0; i < 130; i += 1) await createProduct({ sku: `${p}-${String(i).padStart(3, '0')}`, category: p, initialStock: 0 });
    const out = await exportCsv(token, '/api/v1/products/export', { category: p, dialect: 'rfc4180' });
    const skus = lines(out.text)
      .slice(1)
      .map((l) => l.split(',')[0]);
    expect(skus).to.deep.equal(Array.from({ length: 130 }, (_, i) => `${p}-${String(i).padStart(3, '0')}`));
  });

  it('exports orders one row per line, with the status and time filters, in both dialects', async () => {
    const token = await asAdmin();
    const p = freshPrefix();
    const a = await createProduct({ sku: `${p}-A`, name: 'Penna; blu', unitPriceCents: 150, vatRate: 22 });
    const b = await createProduct({ sku: `${p}-B`, name: 'Gomma', unitPriceCents: 99, vatRate: 4 });
    const from = new Date().toISOString();
    const buyer = await customer();
    const order = await placedOrder(buyer.token, [
      { productId: a.id, quantity: 3 },
      { productId: b.id, quantity: 1 },
    ]);
    const to = new Date(Date.now() + 1000).toISOString();
    const excel = await exportCsv(token, '/api/v1/orders/export', { from, to, status: ['pending_payment'] });
    expect(excel.status).to.equal(200);
    const rows = lines(excel.text).filter((l) => l.includes(order.id));
    expect(lines(excel.text)[0]).to.equal(
      'orderNumber;orderId;createdAt;status;customerName;customerEmail;sku;name;quantity;shippedQuantity;cancelledQuantity;vatRate;unitPrice;net;vat;gross',
    );
    expect(rows).to.deep.equal([
      `${order.number};${order.id};${order.createdAt};pending_payment;Test customer;${buyer.email};${p}-A;"Penna; blu";3;0;0;22;1,50;4,50;0,99;5,49`,
      `${order.number};${order.id};${order.createdAt};pending_payment;Test customer;${buyer.email};${p}-B;Gomma;1;0;0;4;0,99;0,99;0,04;1,03`,
    ]);
    const rfc = await exportCsv(token, '/api/v1/orders/export', { from, to, dialect: 'rfc4180' });
    expect(lines(rfc.text).filter((l) => l.includes(order.id))[0]).to.match(/,3,0,0,22,150,450,99,549$/);
    const paidOnly = await exportCsv(token, '/api/v1/orders/export', { from, to, status: ['paid'] });
    expect(lines(paidOnly.text).filter((l) => l.includes(order.id))).to.deep.equal([]);
  });

  it('refuses a customer (403) and an unknown dialect (400)', async () => {
    const buyer = await customer();
    expect((await exportCsv(buyer.token, '/api/v1/products/export')).status).to.equal(403);
    expect((await exportCsv(buyer.token, '/api/v1/orders/export')).status).to.equal(403);
    const token = await asAdmin();
    expect((await exportCsv(token, '/api/v1/products/export', { dialect: 'excel' })).status).to.equal(400);
  });
});
