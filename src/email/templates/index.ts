/**
 * The mails, as typed functions over the AsyncAPI payloads (and the order as the API shows it): each
 * answers a one-line subject and its HTML and plain-text parts, in Italian, amounts as `1.234,56 €`,
 * dates in Europe/Rome. Every value reaches the HTML through the escaping `html` tag.
 */
export type { RenderedMail } from './layout';
export { orderConfirmedMail, orderShippedMail, orderDeliveredMail, orderCancelledMail, refundMadeMail, type OrderView } from './order-mails';
export { returnAuthorizedMail, type ReturnDesk } from './return-mails';
export { passwordResetMail, passwordChangedMail } from './account-mails';
