/**
 * Loads a realistic QuickStock data set into a migrated database with `generate_series`, in
 * chunks, without COPY: Italian product names built from the demo catalog's words, categories, a
 * spread of stock (some products at or below their reorder level), customers, orders spread over
 * customers and statuses with their lines, status history and `order.created` events, and the
 * stock ledger. The secondary indexes are dropped before the load and rebuilt after it, then
 * ANALYZE: a million rows load in minutes, not an hour.
 *
 * Every row is a pure function of its ordinal, so a product id, an order number or a customer can
 * be named by the benchmark without reading the database (`productId(k)`, `orderNumber(i)`).
 */
import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { DEMO_CATALOG } from '../../src/products/demo-catalog';
import { loadFulfilment, FULFILMENT_TABLES } from './load-fulfilment';
import { chunks, hasReturn, statusOf, timed } from './load-steps';

export interface LoadSize {
  products: number;
  orders: number;
  /** Customers the orders are spread over. */
  customers: number;
  /** Order lines per order. */
  linesPerOrder: number;
  /** Stock movements per product: a receipt, then pairs of +3 receipt / −3 damage (odd numbers only). */
  movementsPerProduct: number;
  /** order.created events (at most one per order), all dispatched, inside the 24 h retention. */
  events: number;
  /**
   * Also what the orders' fulfilment left (bench/scale/load-fulfilment.ts): a captured payment of every
   * paid order, a shipment with its lines of every shipped one, a closed return with its refund of 1 %.
   */
  fulfilment?: boolean;
}

/** The tables the loader writes; their secondary (non-constraint) indexes are rebuilt after the load. */
const LOADED_TABLES = ['users', 'products', 'stock_movements', 'orders', 'order_items', 'order_status_history', 'events', ...FULFILMENT_TABLES];
/** Orders and products are spread over this many days before now. */
const SPREAD_DAYS = 600;

const CITIES = ['Milano', 'Roma', 'Torino', 'Bologna', 'Napoli', 'Firenze', 'Verona', 'Bari', 'Padova', 'Genova'];
const VARIANTS = ['blu', 'nero', 'rosso', 'verde', 'bianco', 'grigio', 'formato ufficio', 'confezione risparmio'];

export const productId = (k: number): string => uuidOf(`qs-bench-product-${k}`);
export const orderId = (i: number): string => uuidOf(`qs-bench-order-${i}`);
export const customerId = (c: number): string => uuidOf(`qs-bench-customer-${c}`);
export const customerEmail = (c: number): string => `bench-customer-${c}@quickstock.test`;
export const productSku = (k: number): string => `SKU-${String(k).padStart(8, '0')}`;

/** md5(text)::uuid, as the SQL below computes it. */
function uuidOf(text: string): string {
  const hex = createHash('md5').update(text).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const literalArray = (values: readonly string[]) => `ARRAY[${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(',')}]`;

/**
 * Product k's columns as SQL expressions of k: the products insert and the order lines (which
 * snapshot sku, name, price and VAT) compute the same values without joining a million rows.
 */
const product = {
  id: (k: string) => `md5('qs-bench-product-' || ${k})::uuid`,
  sku: (k: string) => `'SKU-' || lpad(${k}::text, 8, '0')`,
  baseName: (k: string) => `(${literalArray(DEMO_CATALOG.map((item) => item[1]))})[1 + (${k} * 31) % ${DEMO_CATALOG.length}]`,
  name: (k: string) => `${product.baseName(k)} || ' ' || (${literalArray(VARIANTS)})[1 + ${k} % ${VARIANTS.length}] || ' modello ' || ${k}`,
  price: (k: string) => `(99 + (${k}::bigint * 7919) % 20000)::int`,
  vat: (k: string) => `CASE WHEN ${k} % 50 = 0 THEN 4 WHEN ${k} % 10 = 0 THEN 10 ELSE 22 END`,
};

/** Loads `size` into the (migrated, otherwise empty apart from its admin) database at `url`. */
export async function loadDataSet(url: string, size: LoadSize, log: (line: string) => void): Promise<void> {
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    // Foreign keys are not checked row by row during the bulk load (every reference is built valid).
    await db.query("SET session_replication_role = replica; SET synchronous_commit = off; SET maintenance_work_mem = '256MB'");
    const indexes = await db.query<{ name: string; def: string }>(
      `SELECT i.indexname AS name, i.indexdef AS def FROM pg_indexes i
        WHERE i.schemaname = 'public' AND i.tablename = ANY($1)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
      [LOADED_TABLES],
    );
    for (const index of indexes.rows) await db.query(`DROP INDEX ${index.name}`);
    const admin = (await db.query<{ id: string; password_hash: string }>("SELECT id, password_hash FROM users WHERE role = 'admin' LIMIT 1")).rows[0];
    if (!admin) throw new Error('the database has no admin yet: start the service on it once first');

    await timed(
      `${size.customers} customers`,
      () =>
        db.query(
          `INSERT INTO users (id, email, name, role, password_hash, created_at)
       SELECT md5('qs-bench-customer-' || g)::uuid, 'bench-customer-' || g || '@quickstock.test',
              (${literalArray(['Ufficio', 'Studio', 'Cartoleria', 'Agenzia', 'Scuola'])})[1 + g % 5] || ' ' ||
              (${literalArray(['Rossi', 'Bianchi', 'Esposito', 'Ricci', 'Romano', 'Colombo', 'Greco', 'Conti'])})[1 + g % 8] || ' ' || g,
              'customer', $1, now() - interval '${SPREAD_DAYS} days' * (1 - g::float8 / $2)
         FROM generate_series(1, $2) g`,
          [admin.password_hash, size.customers],
        ),
      log,
    );

    await timed(
      `${size.products} products`,
      () =>
        chunks(size.products, (from, to) =>
          db.query(
            `INSERT INTO products (id, sku, name, description, category, unit_price_cents, vat_rate, reorder_level, on_hand, created_at, updated_at)
       SELECT ${product.id('g')}, ${product.sku('g')}, ${product.name('g')},
              CASE WHEN g % 3 = 0 THEN 'Articolo da ufficio: ' || ${product.baseName('g')} END,
              'cat-' || (g % 50), ${product.price('g')}, ${product.vat('g')},
              10 + g % 41, (g::bigint * 104729) % 1000, t.at, t.at
         FROM generate_series($1::int, $2::int) g,
              LATERAL (SELECT now() - interval '${SPREAD_DAYS} days' * (1 - g::float8 / $3) AS at) t`,
            [from, to, size.products],
          ),
        ),
      log,
    );

    // The triggers that keep product_search_words do not fire in replica mode: its words in one pass,
    // its key built after them (the way migration 0012 fills it).
    await timed(
      'product search words',
      async () => {
        await db.query('ALTER TABLE product_search_words DROP CONSTRAINT product_search_words_pkey');
        await db.query(
          `INSERT INTO product_search_words (lexeme, name_key, product_id)
         SELECT w, lower(p.name), p.id FROM products p, unnest(tsvector_to_array(to_tsvector('italian'::regconfig, quickstock_unaccent(p.name)))) w`,
        );
        await db.query('ALTER TABLE product_search_words ADD PRIMARY KEY (lexeme, name_key, product_id)');
      },
      log,
    );

    // Lines first (each references product k by its computed id), then each order from its lines' totals.
    const cities = literalArray(CITIES);
    await timed(
      `${size.orders} orders, ${size.orders * size.linesPerOrder} lines`,
      () =>
        chunks(size.orders, (from, to) =>
          db.query(
            `WITH lines AS (
         INSERT INTO order_items (order_id, line_no, product_id, sku, name, quantity, unit_price_cents, vat_rate, net_cents, vat_cents, gross_cents,
                                  shipped_quantity, cancelled_quantity, returned_quantity)
         SELECT md5('qs-bench-order-' || s.g)::uuid, s.line, ${product.id('s.k')}, ${product.sku('s.k')}, ${product.name('s.k')}, s.qty,
                s.price, s.vat, s.qty * s.price, (s.qty * s.price * s.vat + 50) / 100, s.qty * s.price + (s.qty * s.price * s.vat + 50) / 100,
                CASE WHEN s.status IN ('shipped', 'delivered') THEN s.qty ELSE 0 END, CASE WHEN s.status = 'cancelled' THEN s.qty ELSE 0 END,
                CASE WHEN $7 AND s.status = 'delivered' AND ${hasReturn('s.g')} AND s.line = 1 THEN 1 ELSE 0 END
           FROM (SELECT g, line, qty, k, ${product.price('k')} AS price, ${product.vat('k')} AS vat, ${statusOf('g')} AS status
                   FROM (SELECT g, line, 1 + (g + line) % 5 AS qty,
                                (1 + ((g::bigint * 7919) % $3 + (line - 1) * (1 + g % greatest($3 - 1, 1))) % $3)::int AS k
                           FROM generate_series($1::int, $2::int) g, generate_series(1, $4::int) line) l) s
         RETURNING order_id, net_cents, vat_cents, gross_cents
       ), totals AS (
         SELECT order_id, sum(net_cents) AS net, sum(vat_cents) AS vat, sum(gross_cents) AS gross FROM lines GROUP BY order_id
       )
       INSERT INTO orders (id, number, customer_id, status, net_cents, vat_cents, gross_cents, shipping_address, reserved_until, created_by, created_at, updated_at)
       SELECT t.order_id, 'QS-' || to_char(o.at, 'YYYY') || '-' || lpad(o.g::text, 7, '0'), o.customer, o.status, t.net, t.vat, t.gross,
              jsonb_build_object('name', 'Ufficio ' || o.g, 'line1', 'Via Roma ' || (1 + o.g % 200), 'city', (${cities})[1 + o.g % ${CITIES.length}],
                                 'postalCode', lpad((10000 + o.g % 89999)::text, 5, '0'), 'country', 'IT'),
              CASE WHEN o.status = 'pending_payment' THEN now() + interval '7 days' END, o.customer, o.at, o.at + interval '2 days'
         FROM totals t
         JOIN (SELECT g, md5('qs-bench-customer-' || (1 + (g::bigint * 31) % $5))::uuid AS customer, ${statusOf('g')} AS status,
                      now() - interval '${SPREAD_DAYS} days' * (1 - g::float8 / $6) AS at
                 FROM generate_series($1::int, $2::int) g) o ON t.order_id = md5('qs-bench-order-' || o.g)::uuid`,
            [from, to, size.products, size.linesPerOrder, size.customers, size.orders, size.fulfilment === true],
          ),
        ),
      log,
    );
    await db.query(`SELECT setval('order_number_seq', $1)`, [size.orders + 1]);

    await timed(
      'status history',
      () =>
        chunks(size.orders, (from, to) =>
          db.query(
            `INSERT INTO order_status_history (order_id, from_status, to_status, actor_id, actor_role, at)
       SELECT o.id, s.from_status, s.to_status, CASE WHEN s.step = 1 THEN o.customer_id ELSE $3::uuid END,
              CASE WHEN s.step = 1 THEN 'customer' ELSE 'operator' END, o.created_at + greatest(s.step, 2) * interval '1 hour'
         FROM generate_series($1::int, $2::int) g
         JOIN orders o ON o.id = md5('qs-bench-order-' || g)::uuid
         JOIN (VALUES (1, NULL, 'pending_payment'), (2, 'pending_payment', 'paid'), (3, 'paid', 'in_preparation'),
                      (4, 'in_preparation', 'shipped'), (5, 'shipped', 'delivered'), (0, 'pending_payment', 'cancelled'))
              AS s(step, from_status, to_status)
           ON s.step = 1 OR (o.status = 'cancelled' AND s.step = 0)
              OR (o.status <> 'cancelled' AND s.step > 1 AND s.step <= CASE o.status WHEN 'paid' THEN 2 WHEN 'in_preparation' THEN 3
                    WHEN 'shipped' THEN 4 WHEN 'delivered' THEN 5 ELSE 1 END)
        ORDER BY g, s.step`,
            [from, to, admin.id],
          ),
        ),
      log,
    );

    // Pending orders hold their units; a product's stock then covers them (reserved <= on_hand).
    await timed(
      'reservations of pending orders',
      () =>
        db.query(
          `UPDATE products p SET reserved = r.units, on_hand = p.on_hand + r.units
         FROM (SELECT i.product_id, sum(i.quantity)::int AS units FROM order_items i JOIN orders o ON o.id = i.order_id
                WHERE o.status = 'pending_payment' GROUP BY i.product_id) r
        WHERE p.id = r.product_id`,
        ),
      log,
    );

    const pairs = Math.max(0, Math.floor((size.movementsPerProduct - 1) / 2));
    await timed(
      `${size.products * (1 + 2 * pairs)} stock movements`,
      () =>
        chunks(size.products, (from, to) =>
          db.query(
            `INSERT INTO stock_movements (product_id, type, delta, on_hand_after, reason, actor_id, created_at)
       SELECT p.id, m.type, m.delta, p.on_hand + m.after_extra, m.reason, $3::uuid, p.created_at + m.j * interval '1 minute'
         FROM generate_series($1::int, $2::int) g
         JOIN products p ON p.id = md5('qs-bench-product-' || g)::uuid
         CROSS JOIN LATERAL (
           SELECT 0 AS j, 'receipt' AS type, p.on_hand AS delta, 0 AS after_extra, 'carico iniziale' AS reason WHERE p.on_hand > 0
           UNION ALL
           SELECT j, CASE WHEN j % 2 = 1 THEN 'receipt' ELSE 'damage' END, CASE WHEN j % 2 = 1 THEN 3 ELSE -3 END,
                  CASE WHEN j % 2 = 1 THEN 3 ELSE 0 END, CASE WHEN j % 2 = 1 THEN 'riassortimento' ELSE 'merce danneggiata' END
             FROM generate_series(1, $4::int) j
         ) m
        ORDER BY g, m.j`,
            [from, to, admin.id, pairs * 2],
          ),
        ),
      log,
    );

    await timed(
      `${Math.min(size.events, size.orders)} events`,
      () =>
        chunks(Math.min(size.events, size.orders), (from, to) =>
          db.query(
            `INSERT INTO events (type, occurred_at, data, audience_staff, audience_user_id, dispatched_at)
       SELECT 'order.created', t.at,
              jsonb_build_object('orderId', o.id, 'number', o.number, 'customerId', o.customer_id, 'status', 'pending_payment',
                                 'totals', jsonb_build_object('netCents', o.net_cents, 'vatCents', o.vat_cents, 'grossCents', o.gross_cents)),
              true, o.customer_id, t.at
         FROM generate_series($1::int, $2::int) g
         JOIN orders o ON o.id = md5('qs-bench-order-' || ($3::int - $4::int + g))::uuid
         CROSS JOIN LATERAL (SELECT now() - interval '20 hours' * (1 - g::float8 / $4::int) AS at) t`,
            [from, to, size.orders, Math.min(size.events, size.orders)],
          ),
        ),
      log,
    );
    // The dispatcher and the outbox's other readers (the mail and webhook fan-outs) start after what was
    // loaded (all of it counts as delivered); else those two would walk the loaded events during the bench.
    await db.query(`UPDATE event_dispatcher SET last_id = (SELECT coalesce(max(id), 0) FROM events);
      UPDATE email_fanout_cursor SET last_id = (SELECT coalesce(max(id), 0) FROM events), gaps = '[]';
      UPDATE webhook_fanout_cursor SET last_id = (SELECT coalesce(max(id), 0) FROM events), gaps = '[]'`);

    if (size.fulfilment) await loadFulfilment(db, size.orders, admin.id, log);

    await timed(
      `${indexes.rows.length} indexes rebuilt`,
      async () => {
        for (const index of indexes.rows) await db.query(index.def);
      },
      log,
    );
    await db.query('SET session_replication_role = DEFAULT');
    await timed('ANALYZE', () => db.query('VACUUM ANALYZE'), log);
  } finally {
    await db.end();
  }
}
