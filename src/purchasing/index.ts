export { SupplierModel } from './supplier.model';
export { PurchaseOrderModel, PurchaseOrderLineModel, PurchaseReceiptModel, PurchaseReceiptLineModel } from './purchase-order.models';
export { SuppliersService } from './suppliers.service';
export { PurchasingService } from './purchasing.service';
export { createPurchasingRouter } from './purchasing.routes';
