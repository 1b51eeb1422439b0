import { Op, type WhereOptions } from 'sequelize';
import type { DbTarget, Tx } from '../platform/db/db';
import { transactionOf } from '../platform/db/sql';
import type { CarrierName, CreatedShipment, TrackingStatus } from './carrier';
import { ShipmentModel } from './shipment.model';
import { ShipmentLineModel } from './shipment-line.model';

/** Units of one product in a shipment. */
export interface ShipmentLineRecord {
  productId: string;
  quantity: number;
}

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
  providerShipmentId: string | null;
  service: string | null;
  /** bigint, as text. */
  rateCents: string | null;
  rateCurrency: string | null;
  trackingStatus: string | null;
  createdAt: Date;
}

/** A shipment with what it holds. */
export type ShipmentWithLines = ShipmentRecord & { lines: ShipmentLineRecord[] };

const plain = (row: ShipmentModel | null | undefined): ShipmentRecord | undefined => (row ? (row.get({ plain: true }) as ShipmentRecord) : undefined);

/** The shipments and shipment_lines tables, through their models (no statement here is on a measured hot path). */
export const shipmentRepository = {
  /** The order's shipment of this id with its lines (undefined for another order's). */
  async findOfOrder(target: DbTarget, orderId: string, id: string): Promise<ShipmentWithLines | undefined> {
    const row = plain(await ShipmentModel.findOne({ where: { id, orderId }, transaction: transactionOf(target) }));
    return row && (await this.withLines(target, [row]))[0];
  },

  /** The lines of these shipments, one read for all of them. */
  async withLines(target: DbTarget, shipments: ShipmentRecord[]): Promise<ShipmentWithLines[]> {
    if (shipments.length === 0) return [];
    const lines = await ShipmentLineModel.findAll({
      where: { shipmentId: { [Op.in]: shipments.map((s) => s.id) } },
      order: [['productId', 'ASC']],
      transaction: transactionOf(target),
    });
    return shipments.map((s) => ({
      ...s,
      lines: lines.filter((l) => l.shipmentId === s.id).map((l) => ({ productId: l.productId, quantity: l.quantity })),
    }));
  },

  async insert(tx: Tx, orderId: string, carrier: CarrierName, s: CreatedShipment, lines: readonly ShipmentLineRecord[]): Promise<ShipmentWithLines> {
    const row = await ShipmentModel.create(
      { ...s, orderId, carrier, status: 'in_transit', rateCents: s.rateCents === null ? null : String(s.rateCents) },
      { transaction: tx },
    );
    const shipment = plain(row) as ShipmentRecord;
    await ShipmentLineModel.bulkCreate(
      lines.map((l) => ({ shipmentId: shipment.id, productId: l.productId, quantity: l.quantity })),
      { transaction: tx },
    );
    return { ...shipment, lines: [...lines].sort((a, b) => (a.productId < b.productId ? -1 : 1)) };
  },

  /** The shipment of this carrier already filed under the carrier's shipment id, if any. */
  async findByProviderId(tx: Tx, carrier: CarrierName, providerShipmentId: string): Promise<ShipmentRecord | undefined> {
    return plain(await ShipmentModel.findOne({ where: { carrier, providerShipmentId }, transaction: tx }));
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

  /** The order's shipments that count (not cancelled), and how many of them are delivered. */
  async tally(tx: Tx, orderId: string): Promise<{ counting: number; delivered: number }> {
    const rows = await ShipmentModel.findAll({ attributes: ['status'], where: { orderId, status: { [Op.ne]: 'cancelled' } }, transaction: tx });
    return { counting: rows.length, delivered: rows.filter((r) => r.status === 'delivered').length };
  },
};
