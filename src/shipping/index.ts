export type { Carrier, CarrierName, CreatedShipment, ShipmentRequest, TrackingEvent, TrackingStatus } from './carrier';
export { ManualCarrier } from './manual.carrier';
export { EasyPostCarrier, classifyEasyPostError, type EasyPostSettings } from './easypost.carrier';
export { ShippingService, toShipmentView, type CancellableShipment, type ShipmentLineRecord, type ShippableOrder, type ShipmentView } from './shipping.service';
export { ShipmentModel } from './shipment.model';
export { ShipmentLineModel } from './shipment-line.model';
export { shipmentsOfOrderSql } from './order-shipments.sql';
