import type { components } from '../../../generated/openapi';
import type { OrderStatusChangedData, PaymentUpdatedData } from '../../../generated/asyncapi';

/* PLACEHOLDER (lead is writing the real templates now; this file is replaced before anything lands). */

export type OrderView = components['schemas']['Order'];

/** A mail ready to send: a subject (one line) and its HTML and plain-text parts. */
export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
}

export function orderConfirmedMail(event: OrderStatusChangedData, order: OrderView): RenderedMail {
  return placeholder(`Ordine ${order.number} confermato`, event.orderId);
}
export function orderShippedMail(event: OrderStatusChangedData, order: OrderView): RenderedMail {
  return placeholder(`Ordine ${order.number} spedito`, event.orderId);
}
export function orderDeliveredMail(event: OrderStatusChangedData, order: OrderView): RenderedMail {
  return placeholder(`Ordine ${order.number} consegnato`, event.orderId);
}
export function orderCancelledMail(event: OrderStatusChangedData, order: OrderView): RenderedMail {
  return placeholder(`Ordine ${order.number} annullato`, event.orderId);
}
export function refundMadeMail(event: PaymentUpdatedData, order: OrderView): RenderedMail {
  return placeholder(`Rimborso per l'ordine ${order.number}`, event.orderId);
}
export function passwordResetMail(input: { name: string; resetUrl: string; expiresAt: Date }): RenderedMail {
  return placeholder('Reimposta la password', input.resetUrl);
}
export function passwordChangedMail(input: { name: string; changedAt: Date; how: 'changed' | 'reset' | 'admin' }): RenderedMail {
  return placeholder('Password modificata', input.how);
}

function placeholder(subject: string, body: string): RenderedMail {
  return { subject: subject.replace(/[\r\n]+/g, ' '), html: `<p>${body.replace(/[<>&"]/g, '')}</p>`, text: body };
}
