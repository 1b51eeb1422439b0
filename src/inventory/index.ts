export { InventoryService, type ReservedLine, type StockMovementView } from './inventory.service';
export { createInventoryRouter } from './inventory.routes';
export { crossesLowStock, recordLowStockIfCrossed, type StockLevel } from './low-stock';
export { StockMovementModel } from './stock-movement.model';
export { StockFiguresPublisher } from './stock-figures.publisher';
export { inventoryJobs } from './inventory.jobs';
export { StockChangeMarkModel, StockChangePassModel } from './stock-change.model';
