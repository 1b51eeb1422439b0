export { EventDispatcher, type OutboxEvent } from './event-dispatcher';
export { realtimeJobs } from './realtime.jobs';
export { RealtimeGateway, CLIENT_EVENT_TYPES, HANDSHAKE_ERRORS } from './socket-gateway';
export { EventDispatcherModel } from './event-dispatcher.model';
