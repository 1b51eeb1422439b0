import type { ModelCtor } from 'sequelize-typescript';
import { UserModel } from './users';
import { PasswordResetTokenModel, RefreshTokenModel } from './auth';
import { EventModel } from './platform/events';
import { EventDispatcherModel } from './realtime';
import { ProductModel, ProductSearchWordModel } from './products';
import { StockChangeMarkModel, StockChangePassModel, StockMovementModel } from './inventory';
import { OrderItemModel, OrderModel, OrderStatusHistoryModel } from './orders';
import { PaymentModel, RefundModel } from './payments';
import { ShipmentLineModel, ShipmentModel } from './shipping';
import { ReturnLineModel, ReturnModel } from './returns';
import { IdempotencyKeyModel } from './platform/idempotency';
import { ProviderEventModel } from './webhooks';
import { SetupCodeModel } from './setup';
import { EmailFanoutCursorModel, EmailMessageModel } from './email';
import { PurchaseOrderLineModel, PurchaseOrderModel, PurchaseReceiptLineModel, PurchaseReceiptModel, SupplierModel } from './purchasing';
import { WebhookDeliveryAttemptModel, WebhookDeliveryModel, WebhookFanoutCursorModel, WebhookSubscriptionModel } from './outgoing-webhooks';

/** Every table's model, each exported by the module that owns the table: the schema of record. */
export const MODELS: ModelCtor[] = [
  UserModel,
  RefreshTokenModel,
  PasswordResetTokenModel,
  EventModel,
  EventDispatcherModel,
  ProductModel,
  ProductSearchWordModel,
  StockMovementModel,
  StockChangeMarkModel,
  StockChangePassModel,
  OrderModel,
  OrderItemModel,
  OrderStatusHistoryModel,
  PaymentModel,
  RefundModel,
  ShipmentModel,
  ShipmentLineModel,
  ReturnModel,
  ReturnLineModel,
  IdempotencyKeyModel,
  ProviderEventModel,
  SetupCodeModel,
  WebhookSubscriptionModel,
  WebhookDeliveryModel,
  WebhookDeliveryAttemptModel,
  WebhookFanoutCursorModel,
  EmailMessageModel,
  EmailFanoutCursorModel,
  SupplierModel,
  PurchaseOrderModel,
  PurchaseOrderLineModel,
  PurchaseReceiptModel,
  PurchaseReceiptLineModel,
];
