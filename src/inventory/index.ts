export { InventoryService, type ReservedLine, type StockMovementView } from './inventory.service';
