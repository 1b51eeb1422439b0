export { ReturnsService, returnRefundCeiling, type RefundedCentsOfReturns, type ReturnedParcel, type ReturnsContext } from './returns.service';
export type { ReturnView } from './return-view';
export { createReturnsRouter } from './returns.routes';
export { ReturnModel, ReturnLineModel } from './return.model';
