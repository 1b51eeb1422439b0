export {
  recordEvent,
  recordInternalEvent,
  outboxSignal,
  INTERNAL_EVENT_TYPES,
  type DomainEvent,
  type InternalEvent,
  type InternalEventType,
} from './outbox';
export { EventModel } from './event.model';
