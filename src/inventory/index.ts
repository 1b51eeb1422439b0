export { InventoryService, type ReservedLine, type StockMovementView } from './inventory.service';
export { createInventoryRouter } from './inventory.routes';
export { crossesLowStock, recordLowStockIfCrossed, type StockLevel } from './low-stock';
export { StockMovementModel } from './stock-movement.model';
