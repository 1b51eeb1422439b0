import type { Client } from 'pg';

/**
 * Fills a migrated database with a large catalog and order book through generate_series (seconds,
 * not minutes), for query plans and scale checks: `products` products named like the bench's
 * ("Articolo 42 toner", 20 categories, ~2% low on stock, ~1% archived) plus the words the search
 * tests look for, and `orders` orders of 1,000 customers, mostly delivered, newest few still open.
 */
export async function seedLargeCatalog(db: Client, size: { products: number; orders: number }): Promise<void> {
  await db.query(`
    INSERT INTO users (email, name, role, password_hash)
    SELECT 'cliente' || g || '@example.it', 'Cliente ' || g, 'customer', 'x' FROM generate_series(1, 1000) g`);
  await db.query(
    `INSERT INTO products (sku, name, category, unit_price_cents, reorder_level, on_hand, active, created_at)
     SELECT 'SKU-' || lpad(g::text, 8, '0'),
            'Articolo ' || g || ' ' || (ARRAY['penna', 'quaderno', 'toner', 'risma', 'cartella', 'evidenziatore'])[1 + g % 6],
            'cat-' || (g % 20), 100 + g % 1000,
            CASE WHEN g % 50 = 0 THEN 100 ELSE 10 END, 50, g % 100 <> 7,
            now() - g * interval '1 second'
       FROM generate_series(1, $1::int) g`,
    [size.products],
  );
  await db.query(`
    INSERT INTO products (sku, name, category, unit_price_cents, on_hand) VALUES
      ('PEN-SFERA-BLU', 'Penna a sfera blu', 'scrittura', 120, 100),
      ('QUAD-A4-RIGHE', 'Quaderno A4 a righe', 'carta', 250, 100),
      ('CAFFE-GRANI-1KG', 'Caffè in grani 1 kg', 'ristoro', 1890, 100)`);
  await db.query(
    `WITH c AS (SELECT array_agg(id) AS ids FROM users WHERE role = 'customer')
     INSERT INTO orders (number, customer_id, status, net_cents, vat_cents, gross_cents, shipping_address, created_by, created_at)
     SELECT 'QS-2026-' || lpad(g::text, 7, '0'), c.ids[1 + g % 1000],
            CASE WHEN g > $1::int - 500 THEN 'pending_payment' WHEN g % 97 = 0 THEN 'cancelled' WHEN g % 13 = 0 THEN 'shipped' ELSE 'delivered' END,
            1000, 220, 1220, '{"name":"Mario Rossi","line1":"Via Roma 1","city":"Milano","postalCode":"20100","country":"IT"}',
            c.ids[1 + g % 1000], now() - ($1::int - g) * interval '1 second'
       FROM c, generate_series(1, $1::int) g`,
    [size.orders],
  );
  await db.query('VACUUM ANALYZE users');
  await db.query('VACUUM ANALYZE products');
  await db.query('VACUUM ANALYZE product_search_words');
  await db.query('VACUUM ANALYZE orders');
}
