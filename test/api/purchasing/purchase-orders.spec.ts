import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import {
  asAdmin,
  createProduct,
  createSupplier,
  customer,
  ok,
  operator,
  problemOf,
  rawRequest,
  type Product,
  type Schemas,
  type TestUser,
} from '../../support/api';
import { client } from '../../support/client';
import { query, waitFor } from '../../support/database';
import { h } from '../../support/hooks';

type PurchaseOrder = Schemas['PurchaseOrder'];

async function stock(productId: string): Promise<{ on_hand: number; incoming: number; reserved: number }> {
  const [row] = await query<{ on_hand: number; incoming: number; reserved: number }>('SELECT on_hand, incoming, reserved FROM products WHERE id = $1', [
    productId,
  ]);
  return row as { on_hand: number; incoming: number; reserved: number };
}

async function ledgerOf(productId: string): Promise<{ type: string; delta: number; reason: string | null; actor_id: string | null }[]> {
  return query('SELECT type, delta, reason, actor_id FROM stock_movements WHERE product_id = $1 ORDER BY seq', [productId]);
}

describe('purchasing: purchase orders from draft to shelf', () => {
  let op: TestUser;
  let supplier: Schemas['Supplier'];
  let paper: Product;
  let pens: Product;

  before(async () => {
    op = await operator();
    supplier = await createSupplier(op.token, { vatNumber: 'IT01234567897' });
  });

  beforeEach(async () => {
    paper = await createProduct({ initialStock: 10, reorderLevel: 5, supplierId: supplier.id, supplierSku: 'FB-A4' });
    pens = await createProduct({ initialStock: 0, supplierId: supplier.id });
  });

  async function draft(
    lines = [
      { productId: paper.id, quantity: 20, unitCostCents: 289 },
      { productId: pens.id, quantity: 5, unitCostCents: 790 },
    ],
  ): Promise<PurchaseOrder> {
    return ok(await client(op.token).POST('/api/v1/purchase-orders', { body: { supplierId: supplier.id, lines, expectedAt: '2026-12-15', notes: 'rampa 2' } }));
  }

  async function send(po: PurchaseOrder): Promise<PurchaseOrder> {
    return ok(await client(op.token).POST('/api/v1/purchase-orders/{id}/send', { params: { path: { id: po.id } } }));
  }

  function receive(
    po: PurchaseOrder,
    lines: { productId: string; quantity: number }[],
    extra: { allowOverReceipt?: boolean; note?: string } = {},
    key?: string,
  ) {
    return client(op.token).POST('/api/v1/purchase-orders/{id}/receipts', {
      params: { path: { id: po.id }, header: key ? { 'Idempotency-Key': key } : {} },
      body: { lines, ...extra },
    });
  }

  it('creates a numbered draft with its lines and totals, and writes purchase_order.updated', async () => {
    const res = await client(op.token).POST('/api/v1/purchase-orders', {
      params: { header: { 'Idempotency-Key': randomUUID() } },
      body: { supplierId: supplier.id, lines: [{ productId: paper.id, quantity: 20, unitCostCents: 289 }] },
    });
    const po = ok(res);
    expect(res.response.status).to.equal(201);
    expect(res.response.headers.get('etag')).to.equal(`"${po.id.slice(0, 8)}-1"`);
    expect(po.number).to.match(new RegExp(`^PO-${new Date().getFullYear()}-\\d{6}$`));
    expect(po).to.include({ status: 'draft', supplierId: supplier.id, supplierName: supplier.name, totalCents: 5780 });
    expect(po.lines).to.deep.equal([
      { productId: paper.id, sku: paper.sku, name: paper.name, supplierSku: 'FB-A4', quantity: 20, unitCostCents: 289, receivedQuantity: 0, totalCents: 5780 },
    ]);
    const [stored] = await query('SELECT status, number FROM purchase_orders WHERE id = $1', [po.id]);
    expect(stored).to.deep.equal({ status: 'draft', number: po.number });
    const events = await query<{ data: { from: null; to: string } }>(
      "SELECT data FROM events WHERE type = 'purchase_order.updated' AND data->>'purchaseOrderId' = $1",
      [po.id],
    );
    expect(events.map((e) => [e.data.from, e.data.to])).to.deep.equal([[null, 'draft']]);
  });

  it('sends, then receives in two partial receipts: partially_received then received, on hand, ledger and incoming exact at every step', async () => {
    const po = await draft();
    expect((await stock(paper.id)).incoming).to.equal(0);
    const sent = await send(po);
    expect(sent.status).to.equal('sent');
    expect(await stock(paper.id)).to.include({ on_hand: 10, incoming: 20 });
    expect(await stock(pens.id)).to.include({ on_hand: 0, incoming: 5 });
    const view = ok(await client(op.token).GET('/api/v1/products/{id}', { params: { path: { id: paper.id } } }));
    expect(view.incoming).to.equal(20);
    // The live figures carry it too (the publisher's next pass, at most a second later).
    await waitFor(
      async () =>
        (await query("SELECT 1 FROM events WHERE type = 'inventory.stock_changed' AND data->>'productId' = $1 AND (data->>'incoming')::int = 20", [paper.id]))
          .length > 0,
      5000,
      'inventory.stock_changed with incoming 20',
    );

    const first = ok(await receive(po, [{ productId: paper.id, quantity: 12 }], { note: 'DDT 1' }));
    expect(first.purchaseOrder.status).to.equal('partially_received');
    expect(first.receipt.lines).to.deep.equal([{ productId: paper.id, quantity: 12, overReceived: 0 }]);
    expect(await stock(paper.id)).to.include({ on_hand: 22, incoming: 8 });
    expect(await stock(pens.id)).to.include({ on_hand: 0, incoming: 5 });

    const second = ok(
      await receive(po, [
        { productId: paper.id, quantity: 8 },
        { productId: pens.id, quantity: 5 },
      ]),
    );
    expect(second.purchaseOrder.status).to.equal('received');
    expect(second.purchaseOrder.lines.map((l) => l.receivedQuantity)).to.deep.equal([20, 5]);
    expect(await stock(paper.id)).to.include({ on_hand: 30, incoming: 0 });
    expect(await stock(pens.id)).to.include({ on_hand: 5, incoming: 0 });

    const ledger = await ledgerOf(paper.id);
    expect(ledger.map((m) => [m.type, m.delta, m.reason, m.actor_id])).to.deep.equal([
      ['receipt', 10, 'initial stock', ledger[0]?.actor_id],
      ['receipt', 12, `${po.number}: DDT 1`, op.id],
      ['receipt', 8, po.number, op.id],
    ]);
    const [sum] = await query<{ total: number }>('SELECT sum(delta)::int AS total FROM stock_movements WHERE product_id = $1', [paper.id]);
    expect(sum?.total).to.equal(30);
    const [row] = await query('SELECT status FROM purchase_orders WHERE id = $1', [po.id]);
    expect(row).to.deep.equal({ status: 'received' });
    const events = await query<{ data: { from: string; to: string } }>(
      "SELECT data FROM events WHERE type = 'purchase_order.updated' AND data->>'purchaseOrderId' = $1 ORDER BY id",
      [po.id],
    );
    expect(events.map((e) => `${e.data.from}>${e.data.to}`)).to.deep.equal([
      'null>draft',
      'draft>sent',
      'sent>partially_received',
      'partially_received>received',
    ]);
  });

  it('refuses an over-receipt with 409 over-receipt and receives nothing; allowOverReceipt records the excess', async () => {
    const po = await draft([{ productId: paper.id, quantity: 5, unitCostCents: 100 }]);
    await send(po);
    const refused = await receive(po, [{ productId: paper.id, quantity: 7 }]);
    expect(refused.response.status).to.equal(409);
    expect(refused.error).to.include({ code: 'over-receipt', productId: paper.id, remainingQuantity: 5 });
    expect(await stock(paper.id)).to.include({ on_hand: 10, incoming: 5 });
    expect(await query('SELECT 1 FROM purchase_receipts WHERE purchase_order_id = $1', [po.id])).to.have.length(0);

    const allowed = ok(await receive(po, [{ productId: paper.id, quantity: 7 }], { allowOverReceipt: true }));
    expect(allowed.purchaseOrder.status).to.equal('received');
    expect(allowed.receipt.lines).to.deep.equal([{ productId: paper.id, quantity: 7, overReceived: 2 }]);
    expect(allowed.purchaseOrder.lines[0]?.receivedQuantity).to.equal(7);
    expect(await stock(paper.id)).to.include({ on_hand: 17, incoming: 0 });
    const [line] = await query(
      'SELECT quantity, over_received FROM purchase_receipt_lines l JOIN purchase_receipts r ON r.id = l.receipt_id WHERE r.purchase_order_id = $1',
      [po.id],
    );
    expect(line).to.deep.equal({ quantity: 7, over_received: 2 });
  });

  it('lets only one of two concurrent receipts of the last 5 units through; the other is a 409 over-receipt', async () => {
    const po = await draft([{ productId: paper.id, quantity: 10, unitCostCents: 100 }]);
    await send(po);
    ok(await receive(po, [{ productId: paper.id, quantity: 5 }]));
    const [a, b] = await Promise.all([receive(po, [{ productId: paper.id, quantity: 5 }]), receive(po, [{ productId: paper.id, quantity: 5 }])]);
    expect([a.response.status, b.response.status].sort()).to.deep.equal([201, 409]);
    expect((a.error ?? b.error) as { code: string }).to.include({ code: 'over-receipt' });
    expect(await stock(paper.id)).to.include({ on_hand: 20, incoming: 0 });
    const [line] = await query('SELECT received_quantity FROM purchase_order_lines WHERE purchase_order_id = $1', [po.id]);
    expect(line).to.deep.equal({ received_quantity: 10 });
    expect((await ledgerOf(paper.id)).filter((m) => m.reason === po.number)).to.have.length(2);
  });

  it('replays a receipt sent twice with the same Idempotency-Key, receiving once', async () => {
    const po = await draft([{ productId: paper.id, quantity: 10, unitCostCents: 100 }]);
    await send(po);
    const key = randomUUID();
    const first = await receive(po, [{ productId: paper.id, quantity: 3 }], {}, key);
    const again = await receive(po, [{ productId: paper.id, quantity: 3 }], {}, key);
    expect(again.response.headers.get('idempotent-replayed')).to.equal('true');
    expect(again.data?.receipt.id).to.equal(first.data?.receipt.id);
    expect(await stock(paper.id)).to.include({ on_hand: 13, incoming: 7 });
  });

  it('refuses a receipt of a product not on the order with 400, and one of a draft with 409', async () => {
    const po = await draft([{ productId: paper.id, quantity: 10, unitCostCents: 100 }]);
    const onDraft = await receive(po, [{ productId: paper.id, quantity: 1 }]);
    expect(onDraft.response.status).to.equal(409);
    expect(onDraft.error).to.include({ code: 'illegal-transition', purchaseOrderStatus: 'draft' });
    await send(po);
    const other = await receive(po, [{ productId: pens.id, quantity: 1 }]);
    expect(other.response.status).to.equal(400);
    expect((other.error as { errors: unknown[] }).errors).to.deep.equal([{ path: 'body.lines[0].productId', message: 'is not on this purchase order' }]);
    expect(await stock(pens.id)).to.include({ on_hand: 0 });
  });

  it('cancels a sent order (incoming drops) but not one that received anything (409)', async () => {
    const po = await draft();
    await send(po);
    expect((await stock(paper.id)).incoming).to.equal(20);
    const cancelled = ok(await client(op.token).POST('/api/v1/purchase-orders/{id}/cancel', { params: { path: { id: po.id } } }));
    expect(cancelled).to.include({ status: 'cancelled' });
    expect(cancelled.cancelledAt).to.be.a('string');
    expect(await stock(paper.id)).to.include({ incoming: 0, on_hand: 10 });
    expect(await stock(pens.id)).to.include({ incoming: 0 });
    const resend = await client(op.token).POST('/api/v1/purchase-orders/{id}/send', { params: { path: { id: po.id } } });
    expect(resend.response.status).to.equal(409);
    expect(resend.error).to.include({ code: 'illegal-transition', purchaseOrderStatus: 'cancelled' });

    const other = await draft();
    await send(other);
    ok(await receive(other, [{ productId: paper.id, quantity: 1 }]));
    const late = await client(op.token).POST('/api/v1/purchase-orders/{id}/cancel', { params: { path: { id: other.id } } });
    expect(late.response.status).to.equal(409);
    expect(late.error).to.include({ code: 'illegal-transition', purchaseOrderStatus: 'partially_received' });
    expect(await stock(paper.id)).to.include({ incoming: 19, on_hand: 11 });
  });

  it('edits a draft under If-Match; a stale If-Match is 412, a missing one 428, and the lines of a sent order 409', async () => {
    const po = await draft();
    const got = await client(op.token).GET('/api/v1/purchase-orders/{id}', { params: { path: { id: po.id } } });
    const etag = got.response.headers.get('etag') as string;
    const lines = [{ productId: paper.id, quantity: 30, unitCostCents: 280 }];
    const edited = await client(op.token).PATCH('/api/v1/purchase-orders/{id}', {
      params: { path: { id: po.id }, header: { 'If-Match': etag } },
      body: { lines },
    });
    expect(ok(edited).lines.map((l) => [l.productId, l.quantity, l.unitCostCents])).to.deep.equal([[paper.id, 30, 280]]);
    expect(edited.response.headers.get('etag')).to.not.equal(etag);

    const stale = await client(op.token).PATCH('/api/v1/purchase-orders/{id}', {
      params: { path: { id: po.id }, header: { 'If-Match': etag } },
      body: { notes: 'x' },
    });
    expect(stale.response.status).to.equal(412);
    expect(stale.error).to.include({ code: 'precondition-failed', currentEtag: edited.response.headers.get('etag') });
    const missing = await rawRequest('PATCH', `/api/v1/purchase-orders/${po.id}`, { token: op.token, body: { notes: 'x' } });
    expect([missing.status, problemOf(missing).code]).to.deep.equal([428, 'precondition-required']);

    const sent = await client(op.token).POST('/api/v1/purchase-orders/{id}/send', { params: { path: { id: po.id } } });
    const sentEtag = sent.response.headers.get('etag') as string;
    const locked = await client(op.token).PATCH('/api/v1/purchase-orders/{id}', {
      params: { path: { id: po.id }, header: { 'If-Match': sentEtag } },
      body: { lines },
    });
    expect(locked.response.status).to.equal(409);
    expect(locked.error).to.include({ code: 'not-editable', purchaseOrderStatus: 'sent' });
    const [line] = await query('SELECT quantity FROM purchase_order_lines WHERE purchase_order_id = $1', [po.id]);
    expect(line).to.deep.equal({ quantity: 30 });
    const notes = ok(
      await client(op.token).PATCH('/api/v1/purchase-orders/{id}', {
        params: { path: { id: po.id }, header: { 'If-Match': sentEtag } },
        body: { notes: 'chiamare prima' },
      }),
    );
    expect(notes).to.include({ notes: 'chiamare prima', status: 'sent' });
  });

  it('lists purchase orders newest first, filtered by status and supplier, with keyset cursors', async () => {
    const mine = await createSupplier(op.token);
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      ids.push(
        ok(
          await client(op.token).POST('/api/v1/purchase-orders', {
            body: { supplierId: mine.id, lines: [{ productId: paper.id, quantity: 1 + i, unitCostCents: 1 }] },
          }),
        ).id,
      );
    }
    await send({ id: ids[0] } as PurchaseOrder);
    const page1 = ok(await client(op.token).GET('/api/v1/purchase-orders', { params: { query: { supplierId: mine.id, limit: 2 } } }));
    expect(page1.items.map((o) => o.id)).to.deep.equal([ids[2], ids[1]]);
    const page2 = ok(
      await client(op.token).GET('/api/v1/purchase-orders', { params: { query: { supplierId: mine.id, limit: 2, cursor: page1.nextCursor as string } } }),
    );
    expect(page2.items.map((o) => o.id)).to.deep.equal([ids[0]]);
    expect(page2.nextCursor).to.equal(null);
    const sentOnly = ok(await client(op.token).GET('/api/v1/purchase-orders', { params: { query: { supplierId: mine.id, status: 'sent' } } }));
    expect(sentOnly.items.map((o) => o.id)).to.deep.equal([ids[0]]);
  });

  it('keeps customers out (403)', async () => {
    const buyer = await customer();
    const res = await client(buyer.token).GET('/api/v1/purchase-orders', {});
    expect(res.response.status).to.equal(403);
  });

  describe('bad input is a 400 and stores nothing, never a 500', () => {
    const cases: [string, (ids: { supplierId: string; productId: string }) => unknown, string][] = [
      ['an unknown supplier', ({ productId }) => ({ supplierId: randomUUID(), lines: [{ productId, quantity: 1, unitCostCents: 1 }] }), 'body.supplierId'],
      [
        'an unknown product',
        ({ supplierId }) => ({ supplierId, lines: [{ productId: randomUUID(), quantity: 1, unitCostCents: 1 }] }),
        'body.lines[0].productId',
      ],
      [
        'a negative quantity',
        ({ supplierId, productId }) => ({ supplierId, lines: [{ productId, quantity: -3, unitCostCents: 1 }] }),
        'body.lines[0].quantity',
      ],
      ['a zero quantity', ({ supplierId, productId }) => ({ supplierId, lines: [{ productId, quantity: 0, unitCostCents: 1 }] }), 'body.lines[0].quantity'],
      [
        'a fractional quantity',
        ({ supplierId, productId }) => ({ supplierId, lines: [{ productId, quantity: 1.5, unitCostCents: 1 }] }),
        'body.lines[0].quantity',
      ],
      [
        'a cost over int32',
        ({ supplierId, productId }) => ({ supplierId, lines: [{ productId, quantity: 1, unitCostCents: 2147483648 }] }),
        'body.lines[0].unitCostCents',
      ],
      [
        'a negative cost',
        ({ supplierId, productId }) => ({ supplierId, lines: [{ productId, quantity: 1, unitCostCents: -1 }] }),
        'body.lines[0].unitCostCents',
      ],
      [
        'a quantity as a string',
        ({ supplierId, productId }) => ({ supplierId, lines: [{ productId, quantity: '5', unitCostCents: 1 }] }),
        'body.lines[0].quantity',
      ],
      [
        'a product twice',
        ({ supplierId, productId }) => ({
          supplierId,
          lines: [
            { productId, quantity: 1, unitCostCents: 1 },
            { productId, quantity: 2, unitCostCents: 1 },
          ],
        }),
        'body.lines[1].productId',
      ],
      ['no lines', ({ supplierId }) => ({ supplierId, lines: [] }), 'body.lines'],
      ['a status', ({ supplierId, productId }) => ({ supplierId, status: 'received', lines: [{ productId, quantity: 1, unitCostCents: 1 }] }), 'body.status'],
    ];
    for (const [what, body, path] of cases) {
      it(`refuses ${what}`, async () => {
        const notes = `bad-input-${randomUUID()}`;
        const res = await rawRequest('POST', '/api/v1/purchase-orders', {
          token: op.token,
          body: { ...(body({ supplierId: supplier.id, productId: paper.id }) as object), notes },
        });
        expect(res.status, JSON.stringify(res.body)).to.equal(400);
        expect(JSON.stringify(problemOf(res).errors)).to.include(path);
        expect(await query('SELECT 1 FROM purchase_orders WHERE notes = $1', [notes])).to.have.length(0);
      });
    }

    it('refuses negative and fractional receipt quantities', async () => {
      const po = await draft();
      await send(po);
      for (const quantity of [-1, 0, 2.5]) {
        const res = await rawRequest('POST', `/api/v1/purchase-orders/${po.id}/receipts`, {
          token: op.token,
          body: { lines: [{ productId: paper.id, quantity }] },
        });
        expect(res.status).to.equal(400);
      }
      expect(await stock(paper.id)).to.include({ on_hand: 10, incoming: 20 });
    });
  });

  it('answers the PDF of the order in Italian, with its number, each line and the warehouse address', async () => {
    const po = await draft();
    const res = await fetch(`${h().baseUrl}/api/v1/purchase-orders/${po.id}/pdf`, {
      headers: { authorization: `Bearer ${await asAdmin()}` },
    });
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.equal('application/pdf');
    expect(res.headers.get('content-disposition')).to.equal(`inline; filename="${po.number}.pdf"`);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.subarray(0, 5).toString()).to.equal('%PDF-');
    const { PDFParse } = await import('pdf-parse');
    const parser = new PDFParse({ data: new Uint8Array(bytes) });
    const { text } = await parser.getText();
    await parser.destroy();
    expect(text).to.include(`Ordine di acquisto ${po.number}`);
    expect(text).to.include(supplier.name);
    expect(text).to.include('P. IVA 01234567897');
    expect(text).to.include('Via della Logistica 10');
    // A long SKU or name wraps inside its column: compared without the line breaks and spaces.
    const flat = (s: string) => s.replace(/\s+/g, '');
    for (const line of po.lines) {
      expect(flat(text)).to.include(flat(line.sku));
      expect(flat(text)).to.include(flat(line.name));
    }
    expect(text).to.include('FB-A4');
    expect(text).to.include('57,80');
    expect(text).to.include('39,50');
    expect(text).to.include('97,30');
  });
});
