import { isoTimestampSql, jsonArraySql } from '../platform/db/json-sql';

/**
 * Shipping's part of the one-statement order read (orders compose it): the order's shipments as a
 * JSON array of ShipmentView (`toShipmentView`'s keys, in its order), oldest first, each with its
 * lines by product (`listForOrder`'s orders). `orderId` is an SQL expression of the caller's (`o.id`).
 */
export function shipmentsOfOrderSql(orderId: string): string {
  const lines = `(SELECT ${jsonArraySql("json_build_object('productId', l.product_id, 'quantity', l.quantity)", 'l.product_id')}
                    FROM shipment_lines l WHERE l.shipment_id = s.id)`;
  const shipment = `json_build_object('id', s.id, 'orderId', s.order_id, 'carrier', s.carrier, 'carrierName', s.carrier_name,
    'trackingCode', s.tracking_code, 'trackingUrl', s.tracking_url, 'labelUrl', s.label_url, 'status', s.status, 'service', s.service,
    'rateCents', s.rate_cents, 'rateCurrency', s.rate_currency, 'trackingStatus', s.tracking_status, 'lines', ${lines},
    'createdAt', ${isoTimestampSql('s.created_at')})`;
  return `(SELECT ${jsonArraySql(shipment, 's.created_at, s.id')} FROM shipments s WHERE s.order_id = ${orderId})`;
}
