import type { MigrationContext } from '../migrator';

/**
 * Product barcodes (issue 27), for packing and receiving with a scanner: an EAN-13, EAN-8 or UPC-A
 * with a valid check digit (the database checks both, whatever the code above it does). A UPC-A is an
 * EAN-13 with a leading zero, and scanners report either form, so uniqueness and lookup are on the
 * code padded to the 14 digits of a GTIN: `012345678905` and `0012345678905` are one product.
 */
export async function up({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    CREATE FUNCTION quickstock_gtin_valid(code text) RETURNS boolean
      LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
      AS $$
        SELECT CASE WHEN code ~ '^([0-9]{8}|[0-9]{12}|[0-9]{13})$' THEN
          (SELECT (10 - sum(substr(lpad(code, 14, '0'), i, 1)::int * CASE WHEN i % 2 = 1 THEN 3 ELSE 1 END) % 10) % 10
             FROM generate_series(1, 13) AS i) = right(code, 1)::int
        ELSE false END
      $$;

    ALTER TABLE products ADD COLUMN barcode text CHECK (quickstock_gtin_valid(barcode));
    CREATE UNIQUE INDEX products_barcode_key ON products (lpad(barcode, 14, '0')) WHERE barcode IS NOT NULL;
  `);
}

export async function down({ sequelize }: MigrationContext): Promise<void> {
  await sequelize.query(`
    ALTER TABLE products DROP COLUMN barcode;
    DROP FUNCTION quickstock_gtin_valid(text);
  `);
}
