import type { Transaction } from 'sequelize';
import { sql, sqlOne, type SqlTarget } from '../platform/db/sql';
import type { CarrierName, CreatedShipment, TrackingStatus } from './carrier';

/** A shipments row as stored (snake_case, bigint as text). */
export interface ShipmentRow {
  id: string;
  order_id: string;
  carrier: CarrierName;
  carrier_name: string;
  tracking_code: string;
  tracking_url: string | null;
  label_url: string | null;
  status: TrackingStatus;
  service: string | null;
  rate_cents: string | null;
  rate_currency: string | null;
  tracking_status: string | null;
  created_at: Date;
}

/** The shipments table: the only SQL that names it. */
export const shipmentRepository = {
  listForOrder(target: SqlTarget, orderId: string): Promise<ShipmentRow[]> {
    return sql<ShipmentRow>(target, 'SELECT * FROM shipments WHERE order_id = $1 ORDER BY created_at, id', [orderId]);
  },

  async insert(tx: Transaction, orderId: string, carrier: CarrierName, s: CreatedShipment): Promise<ShipmentRow> {
    const row = await sqlOne<ShipmentRow>(
      tx,
      `INSERT INTO shipments (order_id, carrier, carrier_name, tracking_code, tracking_url, label_url, status, provider_shipment_id,
                              service, rate_cents, rate_currency)
       VALUES ($1, $2, $3, $4, $5, $6, 'in_transit', $7, $8, $9, $10) RETURNING *`,
      [orderId, carrier, s.carrierName, s.trackingCode, s.trackingUrl, s.labelUrl, s.providerShipmentId, s.service, s.rateCents, s.rateCurrency],
    );
    return row as ShipmentRow;
  },

  findLatest(tx: Transaction, carrier: CarrierName, providerShipmentId: string | null, trackingCode: string | null): Promise<ShipmentRow | undefined> {
    return sqlOne<ShipmentRow>(
      tx,
      `SELECT * FROM shipments WHERE carrier = $1 AND (provider_shipment_id = $2 OR tracking_code = $3)
        ORDER BY created_at DESC LIMIT 1`,
      [carrier, providerShipmentId, trackingCode],
    );
  },

  setTrackingStatus(tx: Transaction, id: string, carrierStatus: string): Promise<ShipmentRow | undefined> {
    return sqlOne<ShipmentRow>(tx, 'UPDATE shipments SET tracking_status = $2, updated_at = clock_timestamp() WHERE id = $1 RETURNING *', [id, carrierStatus]);
  },

  async setStatus(tx: Transaction, id: string, status: TrackingStatus): Promise<ShipmentRow> {
    const row = await sqlOne<ShipmentRow>(tx, 'UPDATE shipments SET status = $2, updated_at = clock_timestamp() WHERE id = $1 RETURNING *', [id, status]);
    return row as ShipmentRow;
  },

  async deliverInTransit(tx: Transaction, orderId: string): Promise<void> {
    await sql(tx, "UPDATE shipments SET status = 'delivered', updated_at = clock_timestamp() WHERE order_id = $1 AND status = 'in_transit'", [orderId]);
  },
};
