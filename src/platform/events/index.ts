export {
  recordEvent,
  recordInternalEvent,
  EVENTS_CHANNEL,
  INTERNAL_EVENT_TYPES,
  type DomainEvent,
  type InternalEvent,
  type InternalEventType,
} from './outbox';
