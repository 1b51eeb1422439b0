import { Op, type WhereOptions } from 'sequelize';
import type { DbTarget, Tx } from '../platform/db/db';
import { transactionOf } from '../platform/db/sql';
import type { CarrierName, CreatedShipment, TrackingStatus } from './carrier';
import { ShipmentModel } from './shipment.model';

/** A shipment as the repository hands it out: a plain object, never a model instance. */
export interface ShipmentRecord {
  id: string;
  orderId: string;
  carrier: CarrierName;
  carrierName: string;
  trackingCode: string;
  trackingUrl: string | null;
  labelUrl: string | null;
  status: TrackingStatus;
  service: string | null;
  /** bigint, as text. */
  rateCents: string | null;
  rateCurrency: string | null;
  trackingStatus: string | null;
  createdAt: Date;
}

const plain = (row: ShipmentModel | null | undefined): ShipmentRecord | undefined => (row ? (row.get({ plain: true }) as ShipmentRecord) : undefined);

/** The shipments table, through its model (no statement here is on a measured hot path). */
export const shipmentRepository = {
  async listForOrder(target: DbTarget, orderId: string): Promise<ShipmentRecord[]> {
    const rows = await ShipmentModel.findAll({
      where: { orderId },
      order: [
        ['createdAt', 'ASC'],
        ['id', 'ASC'],
      ],
      transaction: transactionOf(target),
    });
    return rows.map((r) => plain(r) as ShipmentRecord);
  },

  async insert(tx: Tx, orderId: string, carrier: CarrierName, s: CreatedShipment): Promise<ShipmentRecord> {
    const row = await ShipmentModel.create(
      { ...s, orderId, carrier, status: 'in_transit', rateCents: s.rateCents === null ? null : String(s.rateCents) },
      { transaction: tx },
    );
    return plain(row) as ShipmentRecord;
  },

  /** The latest shipment a carrier event names by its shipment id or its tracking code (a missing one matches nothing). */
  async findLatest(tx: Tx, carrier: CarrierName, providerShipmentId: string | null, trackingCode: string | null): Promise<ShipmentRecord | undefined> {
    const names: WhereOptions[] = [];
    if (providerShipmentId) names.push({ providerShipmentId });
    if (trackingCode) names.push({ trackingCode });
    if (names.length === 0) return undefined;
    return plain(await ShipmentModel.findOne({ where: { carrier, [Op.or]: names }, order: [['createdAt', 'DESC']], transaction: tx }));
  },

  async setTrackingStatus(tx: Tx, id: string, carrierStatus: string): Promise<ShipmentRecord | undefined> {
    const [, rows] = await ShipmentModel.update({ trackingStatus: carrierStatus }, { where: { id }, transaction: tx, returning: true });
    return plain(rows[0]);
  },

  async setStatus(tx: Tx, id: string, status: TrackingStatus): Promise<ShipmentRecord> {
    const [, rows] = await ShipmentModel.update({ status }, { where: { id }, transaction: tx, returning: true });
    return plain(rows[0]) as ShipmentRecord;
  },

  async deliverInTransit(tx: Tx, orderId: string): Promise<void> {
    await ShipmentModel.update({ status: 'delivered' }, { where: { orderId, status: 'in_transit' }, transaction: tx });
  },
};
