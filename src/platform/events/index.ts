export { recordEvent, EVENTS_CHANNEL, type DomainEvent } from './outbox';
