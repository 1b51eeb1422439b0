export { recordEvent, recordEvents, recordInternalEvent, recordEventSql, eventRecordedIn, outboxSignal } from './outbox';
export {
  CLIENT_EVENT_TYPES,
  INTERNAL_EVENT_TYPES,
  isClientEventType,
  decodeStoredEvent,
  type ClientEventType,
  type DomainEvent,
  type EventPayloads,
  type InternalEvent,
  type InternalEventType,
  type QuickStockEvent,
  type StoredEvent,
} from './event-types';
export { EventModel } from './event.model';
export { eventPurge } from './event-purge';
export {
  advanceCursor,
  clientEventOf,
  cursorAfter,
  eventsPastCursor,
  OutboxFollower,
  GAP_WAIT_MS,
  MAX_GAPS,
  type CursorState,
  type OutboxEventRecord,
  type PassOutcome,
} from './outbox-cursor';
