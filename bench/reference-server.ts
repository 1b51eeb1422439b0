/**
 * The benchmark's reference: a bare node:http server on plain `pg` doing the same work as the
 * service's hot paths — no framework, no validation, no auth, no history rows or events.
 *
 *   POST /orders {customerId, items: [{productId, quantity}], shippingAddress}
 *     one transaction: lock the product rows in id order, check availability, reserve,
 *     insert the order and its lines (the same tables and columns as the service).
 *   GET /products?limit=20&category=X   the same list query as the service's default sort.
 *
 * Env: DATABASE_URL, PORT, DB_POOL_MAX. Prints "listening <port>" when ready.
 */
import http from 'node:http';
import { Pool, type PoolClient } from 'pg';

const pool = new Pool({ connectionString: process.env['DATABASE_URL'], max: Number(process.env['DB_POOL_MAX'] ?? 10) });
pool.on('error', () => undefined);

interface Line {
  productId: string;
  quantity: number;
}

interface ProductRow {
  id: string;
  sku: string;
  name: string;
  unit_price_cents: number;
  vat_rate: number;
  on_hand: number;
  reserved: number;
}

async function placeOrder(body: { customerId: string; items: Line[]; shippingAddress: unknown }): Promise<[number, unknown]> {
  const items = [...body.items].sort((a, b) => (a.productId < b.productId ? -1 : 1));
  const client: PoolClient = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<ProductRow>(
      'SELECT id, sku, name, unit_price_cents, vat_rate, on_hand, reserved FROM products WHERE id = ANY($1::uuid[]) AND active ORDER BY id FOR UPDATE',
      [items.map((i) => i.productId)],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const item of items) {
      const row = byId.get(item.productId);
      if (!row || row.on_hand - row.reserved < item.quantity) {
        await client.query('ROLLBACK');
        return [409, { title: 'insufficient stock' }];
      }
    }
    await client.query(
      `UPDATE products p SET reserved = p.reserved + v.q, updated_at = now()
         FROM (SELECT unnest($1::uuid[]) AS id, unnest($2::int[]) AS q) v WHERE p.id = v.id`,
      [items.map((i) => i.productId), items.map((i) => i.quantity)],
    );
    let net = 0;
    let vat = 0;
    const lines = items.map((item, i) => {
      const row = byId.get(item.productId) as ProductRow;
      const lineNet = row.unit_price_cents * item.quantity;
      const lineVat = Math.round((lineNet * row.vat_rate) / 100);
      net += lineNet;
      vat += lineVat;
      return { line_no: i + 1, row, quantity: item.quantity, net: lineNet, vat: lineVat };
    });
    const order = await client.query<{ id: string; number: string }>(
      `INSERT INTO orders (number, customer_id, status, net_cents, vat_cents, gross_cents, shipping_address, reserved_until, created_by)
       VALUES ('QS-' || to_char(now(), 'YYYY') || '-' || lpad(nextval('order_number_seq')::text, 6, '0'),
               $1, 'pending_payment', $2, $3, $4, $5::jsonb, now() + interval '30 minutes', $1)
       RETURNING id, number`,
      [body.customerId, net, vat, net + vat, JSON.stringify(body.shippingAddress)],
    );
    const orderId = order.rows[0]?.id;
    await client.query(
      `INSERT INTO order_items (order_id, line_no, product_id, sku, name, quantity, unit_price_cents, vat_rate, net_cents, vat_cents, gross_cents)
       SELECT $1, * FROM unnest($2::int[], $3::uuid[], $4::text[], $5::text[], $6::int[], $7::int[], $8::int[], $9::bigint[], $10::bigint[], $11::bigint[])`,
      [
        orderId,
        lines.map((l) => l.line_no),
        lines.map((l) => l.row.id),
        lines.map((l) => l.row.sku),
        lines.map((l) => l.row.name),
        lines.map((l) => l.quantity),
        lines.map((l) => l.row.unit_price_cents),
        lines.map((l) => l.row.vat_rate),
        lines.map((l) => l.net),
        lines.map((l) => l.vat),
        lines.map((l) => l.net + l.vat),
      ],
    );
    await client.query('COMMIT');
    return [201, { id: orderId, number: order.rows[0]?.number, totals: { netCents: net, vatCents: vat, grossCents: net + vat } }];
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

async function listProducts(url: URL): Promise<[number, unknown]> {
  const limit = Math.min(100, Number(url.searchParams.get('limit') ?? 20));
  const category = url.searchParams.get('category');
  const { rows } = await pool.query(
    `SELECT * FROM products WHERE active = true ${category ? 'AND lower(category) = lower($2)' : ''}
      ORDER BY lower(name) ASC, id ASC LIMIT $1`,
    category ? [limit + 1, category] : [limit + 1],
  );
  return [200, { items: rows.slice(0, limit), nextCursor: rows.length > limit ? 'more' : null }];
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://reference');
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const work: Promise<[number, unknown]> =
      req.method === 'POST' && url.pathname === '/orders'
        ? placeOrder(JSON.parse(Buffer.concat(chunks).toString('utf8')))
        : req.method === 'GET' && url.pathname === '/products'
          ? listProducts(url)
          : Promise.resolve([404, { title: 'not found' }]);
    work.then(
      ([status, body]) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      },
      (err: Error) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ title: err.message }));
      },
    );
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env['PORT'] ?? 0), '127.0.0.1', () => {
  const address = server.address();
  console.log(`listening ${typeof address === 'object' && address ? address.port : ''}`);
});
process.on('SIGTERM', () => {
  server.close();
  void pool.end().then(() => process.exit(0));
});
