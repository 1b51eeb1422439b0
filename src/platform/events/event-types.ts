import type { QuickStockEvent, ServerToClientEvents } from '../../../generated/asyncapi';

export type { QuickStockEvent };

/** Each client event type → its payload, exactly as the AsyncAPI contract's message defines it. */
export type EventPayloads = { [E in QuickStockEvent as E['type']]: E['data'] };
export type ClientEventType = keyof EventPayloads;

/** The events clients may receive: every message of the AsyncAPI contract (checked by the compiler). */
export const CLIENT_EVENT_TYPES = [
  'order.created',
  'order.status_changed',
  'inventory.low_stock',
  'inventory.stock_changed',
  'payment.updated',
  'refund.updated',
  'shipment.updated',
  'webhook.subscription_disabled',
  'email.failed',
  'email.resent',
  'return.updated',
  'purchase_order.updated',
  'catalog.imported',
] as const satisfies readonly (keyof ServerToClientEvents)[];
type MissingType = Exclude<ClientEventType, (typeof CLIENT_EVENT_TYPES)[number]>;
const everyContractEventIsListed: MissingType extends never ? true : false = true;
void everyContractEventIsListed;

/** Instructions the service sends to itself through the outbox (never to clients, never replayed). */
export interface InternalPayloads {
  'session.revoked': { userId: string; sessionId: string };
  /** Every sign-in of the user ended; `exceptSessionId`: the one just opened by the device that changed its password, whose sockets stay. */
  'user.sessions_revoked': { userId: string; exceptSessionId?: string };
}
export type InternalEventType = keyof InternalPayloads;
export const INTERNAL_EVENT_TYPES = ['session.revoked', 'user.sessions_revoked'] as const satisfies readonly InternalEventType[];

/** A client event to record: its data must be that message's payload. */
export type DomainEvent = {
  [T in ClientEventType]: {
    type: T;
    data: EventPayloads[T];
    /** Staff always see events; a customer sees those addressed to it. */
    customerId?: string | null;
  };
}[ClientEventType];

export type InternalEvent = { [T in InternalEventType]: { type: T; data: InternalPayloads[T] } }[InternalEventType];

/** An outbox row as the dispatcher and the feed read it. */
export interface StoredEvent {
  id: number;
  type: string;
  occurredAt: Date;
  data: unknown;
  audienceStaff: boolean;
  audienceUserId: string | null;
}

export function isClientEventType(type: string): type is ClientEventType {
  return (CLIENT_EVENT_TYPES as readonly string[]).includes(type);
}

/**
 * What a stored row means: a client event (its envelope), an internal instruction, or unknown.
 * The outbox is written only through recordEvent / recordInternalEvent, whose data the compiler
 * checked against these types, so reading the JSON back as that type is the one trusted step.
 */
export function decodeStoredEvent(
  e: StoredEvent,
): { kind: 'client'; event: QuickStockEvent } | { kind: 'internal'; event: InternalEvent } | { kind: 'unknown' } {
  if (isClientEventType(e.type)) {
    return { kind: 'client', event: { id: e.id, type: e.type, occurredAt: e.occurredAt.toISOString(), data: e.data } as QuickStockEvent };
  }
  if ((INTERNAL_EVENT_TYPES as readonly string[]).includes(e.type)) return { kind: 'internal', event: { type: e.type, data: e.data } as InternalEvent };
  return { kind: 'unknown' };
}
