import type http from 'node:http';
import { Server, type Socket } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import type { Db } from '../platform/db/db';
import type { Logger } from 'pino';
import type { ServerToClientEvents } from '../../generated/asyncapi';
import type { Config } from '../platform/config';
import type { Metrics } from '../platform/http/metrics';
import { isStaff } from '../platform/http/contract';
import type { AccessTokens, AuthenticatedActor } from '../auth';
import { CLIENT_EVENT_TYPES, decodeStoredEvent, type QuickStockEvent, type StoredEvent } from '../platform/events';
import { EventFeed } from './event-feed';
import { isAllowedOrigin } from './origin';
import { inOneWritePerSocket } from './one-write';

export { CLIENT_EVENT_TYPES };

/** Messages of the handshake's `connect_error` (documented in the AsyncAPI description). */
export const HANDSHAKE_ERRORS = {
  unauthorized: 'unauthorized',
  badLastEventId: 'invalid_last_event_id',
  tooManyConnections: 'too_many_connections',
} as const;

export interface SocketData {
  actor: AuthenticatedActor;
  lastEventId: number | null;
}

type ClientToServerEvents = Record<string, never>;
interface InterServerEvents {
  'sessions.revoked': () => void;
}
type QuickStockServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
type QuickStockSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

const MAX_TIMER_MS = 2_147_483_647;
/** A client has no business sending events; a few (pings from libraries) are tolerated, a flood is cut. */
const CLIENT_PACKETS_PER_10S = 20;

const staffRoom = 'staff';
const userRoom = (userId: string) => `user:${userId}`;
/** Every socket of a user, whatever its role: used to cut sessions; never emitted to. */
const accountRoom = (userId: string) => `account:${userId}`;
/** The sockets opened with the access tokens of one sign-in: cut on logout. */
const sessionRoom = (sessionId: string) => `session:${sessionId}`;

export interface GatewayDeps {
  config: Config;
  logger: Logger;
  db: Db;
  accessTokens: AccessTokens;
  metrics: Metrics;
}

/**
 * The Socket.IO side of the service: the handshake (same token check as the REST API, Origin
 * check, replay cursor), rooms, replay of missed events, delivery of outbox events and the cutting
 * of sockets whose token expired, whose session was signed out or whose user was disabled.
 */
export class RealtimeGateway {
  readonly io: QuickStockServer;
  private readonly feed: EventFeed;
  private readonly adapterClients: Redis[] = [];

  constructor(
    httpServer: http.Server,
    private readonly deps: GatewayDeps,
  ) {
    const { config } = deps;
    this.feed = new EventFeed(deps.db, config.realtime);
    this.io = new Server(httpServer, {
      path: '/socket.io',
      serveClient: false,
      transports: config.realtime.polling ? ['polling', 'websocket'] : ['websocket'],
      maxHttpBufferSize: config.realtime.maxMessageBytes,
      connectTimeout: 10_000,
      pingInterval: 20_000,
      pingTimeout: 20_000,
      cors: config.corsOrigins.length > 0 ? { origin: [...config.corsOrigins], credentials: false } : undefined,
      // cors only instructs browsers; a non-browser client can send any Origin, so check it here.
      allowRequest: (req, callback) => {
        const allowed = isAllowedOrigin(req.headers.origin, req.headers.host, config.corsOrigins);
        callback(allowed ? null : 'origin not allowed', allowed);
      },
    });
    if (config.redisUrl) {
      const pub = new Redis(config.redisUrl, { lazyConnect: false });
      const sub = pub.duplicate();
      for (const client of [pub, sub]) client.on('error', (err) => deps.logger.warn({ err: err.message }, 'socket.io redis adapter error'));
      this.adapterClients.push(pub, sub);
      this.io.adapter(createAdapter(pub, sub, { key: `${config.redisKeyPrefix}:socket.io` }));
    }
    this.io.on('sessions.revoked', () => deps.accessTokens.forgetSessions());
    this.io.use((socket, next) => {
      this.authenticate(socket).then(
        () => next(),
        (err: Error) => next(err),
      );
    });
    this.io.on('connection', (socket) => {
      this.onConnection(socket).catch((err: unknown) => {
        deps.logger.error({ err }, 'socket set-up failed');
        socket.disconnect(true);
      });
    });
  }

  /** Called by the dispatcher, in id order, inside its transaction. */
  deliver(events: StoredEvent[]): Promise<void> {
    // Publishing through a Redis that is down would lose the events for the other instances'
    // clients while the rows get marked dispatched: fail the pass, so it is retried.
    if (this.adapterClients.some((client) => client.status !== 'ready')) {
      return Promise.reject(new Error('the Socket.IO Redis adapter is not connected; events stay in the outbox'));
    }
    // Client events are emitted in runs, each run in one write per socket (see inOneWritePerSocket).
    let run: (() => void)[] = [];
    const emitRun = () => {
      const emits = run;
      run = [];
      if (emits.length > 1) inOneWritePerSocket(this.io, () => emits.forEach((emit) => emit()));
      else emits[0]?.();
    };
    for (const stored of events) {
      const decoded = decodeStoredEvent(stored);
      if (decoded.kind === 'internal') {
        emitRun();
        const { event } = decoded;
        if (event.type === 'session.revoked') this.io.in(sessionRoom(event.data.sessionId)).disconnectSockets(true);
        else if (event.data.exceptSessionId) this.io.in(accountRoom(event.data.userId)).except(sessionRoom(event.data.exceptSessionId)).disconnectSockets(true);
        else this.io.in(accountRoom(event.data.userId)).disconnectSockets(true);
        // The instance that committed it already forgot its cached sessions; the others do now.
        this.deps.accessTokens.forgetSessions();
        if (this.adapterClients.length > 0) this.io.serverSideEmit('sessions.revoked');
        continue;
      }
      if (decoded.kind === 'unknown') {
        this.deps.logger.warn({ type: stored.type, id: stored.id }, 'outbox event of unknown type not emitted');
        continue;
      }
      const rooms: string[] = [];
      if (stored.audienceStaff) rooms.push(staffRoom);
      if (stored.audienceUserId) rooms.push(userRoom(stored.audienceUserId));
      if (rooms.length === 0) continue;
      // One emit to the union of rooms: a socket in both gets the event once.
      run.push(() => emitEvent(this.io.to(rooms), decoded.event));
      this.deps.metrics.eventsDispatched.inc({ type: stored.type });
      this.deps.metrics.eventDispatchLag.observe((Date.now() - stored.occurredAt.getTime()) / 1000);
    }
    emitRun();
    return Promise.resolve();
  }

  async close(): Promise<void> {
    // Local only: with the Redis adapter a plain disconnectSockets() would cut every instance's clients.
    this.io.local.disconnectSockets(true);
    await new Promise<void>((resolve) => {
      // Closes Engine.IO; the HTTP server itself is closed by its owner.
      this.io.engine.close();
      resolve();
    });
    for (const client of this.adapterClients) client.disconnect();
  }

  private async authenticate(socket: QuickStockSocket): Promise<void> {
    const auth = (socket.handshake.auth ?? {}) as { token?: unknown; lastEventId?: unknown };
    if (typeof auth.token !== 'string' || auth.token.length === 0 || auth.token.length > 4096) {
      throw new Error(HANDSHAKE_ERRORS.unauthorized);
    }
    let lastEventId: number | null = null;
    if (auth.lastEventId !== undefined && auth.lastEventId !== null) {
      const raw = auth.lastEventId;
      const value = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
      if (!Number.isSafeInteger(value) || value < 0) throw new Error(HANDSHAKE_ERRORS.badLastEventId);
      lastEventId = value;
    }
    const { accessTokens } = this.deps;
    const revocationsBefore = accessTokens.revocationCount;
    let actor = await this.verify(auth.token);
    // Count and join the rooms through which sessions are cut in one synchronous step, so parallel
    // handshakes cannot all pass the cap, and a revocation delivered from now on reaches this socket.
    const open = this.io.sockets.adapter.rooms.get(accountRoom(actor.id))?.size ?? 0;
    if (open >= this.deps.config.realtime.maxSocketsPerUser) throw new Error(HANDSHAKE_ERRORS.tooManyConnections);
    const cutRooms = [accountRoom(actor.id), ...(actor.sessionId ? [sessionRoom(actor.sessionId)] : [])];
    await socket.join(cutRooms);
    // A revocation that happened while the token was being checked: check again, from the database.
    if (accessTokens.revocationCount !== revocationsBefore) actor = await this.verify(auth.token);
    socket.data = { actor, lastEventId };
  }

  private async verify(token: string): Promise<AuthenticatedActor> {
    try {
      return await this.deps.accessTokens.authenticateToken(token);
    } catch {
      throw new Error(HANDSHAKE_ERRORS.unauthorized);
    }
  }

  private async onConnection(socket: QuickStockSocket): Promise<void> {
    const { actor, lastEventId } = socket.data;
    this.deps.metrics.socketsConnected.inc();
    socket.on('disconnect', () => {
      clearTimeout(expiry);
      this.deps.metrics.socketsConnected.dec();
    });
    // The token's life is the socket's life: clients reconnect with a fresh token.
    const expiry = setTimeout(() => socket.disconnect(true), Math.min(MAX_TIMER_MS, Math.max(0, actor.expiresAt * 1000 - Date.now())));
    expiry.unref();
    this.limitClientPackets(socket);

    // (The account and session rooms were joined during the handshake.)
    const rooms = [isStaff(actor) ? staffRoom : userRoom(actor.id)];
    if (lastEventId === null) {
      await socket.join(rooms);
      return;
    }
    // Replay: what was missed, then join the rooms, then what was dispatched meanwhile (the client
    // de-duplicates by id the few events that may arrive both ways).
    let sent = lastEventId;
    for (const event of await this.feed.missedSince(actor, lastEventId)) {
      emitEvent(socket, event);
      sent = event.id;
    }
    await socket.join(rooms);
    for (const event of await this.feed.dispatchedSince(actor, sent)) {
      emitEvent(socket, event);
    }
  }

  private limitClientPackets(socket: QuickStockSocket): void {
    let windowStart = Date.now();
    let count = 0;
    socket.use((_packet, next) => {
      const now = Date.now();
      if (now - windowStart > 10_000) {
        windowStart = now;
        count = 0;
      }
      count += 1;
      if (count === CLIENT_PACKETS_PER_10S + 1) {
        this.deps.logger.warn({ userId: socket.data.actor.id }, 'socket sent too many packets; disconnected');
        socket.disconnect(true);
      }
      if (count > CLIENT_PACKETS_PER_10S) return;
      next();
    });
  }
}

interface EventTarget {
  emit<E extends keyof ServerToClientEvents>(event: E, ...args: Parameters<ServerToClientEvents[E]>): boolean;
}

/** Emits an envelope under its own type; the switch lets the compiler pair each type with its payload, and misses none. */
function emitEvent(target: EventTarget, event: QuickStockEvent): void {
  switch (event.type) {
    case 'order.created':
      target.emit(event.type, event);
      break;
    case 'order.status_changed':
      target.emit(event.type, event);
      break;
    case 'inventory.low_stock':
      target.emit(event.type, event);
      break;
    case 'inventory.stock_changed':
      target.emit(event.type, event);
      break;
    case 'payment.updated':
      target.emit(event.type, event);
      break;
    case 'refund.updated':
      target.emit(event.type, event);
      break;
    case 'shipment.updated':
      target.emit(event.type, event);
      break;
    case 'webhook.subscription_disabled':
      target.emit(event.type, event);
      break;
    case 'email.failed':
      target.emit(event.type, event);
      break;
    case 'email.resent':
      target.emit(event.type, event);
      break;
    case 'return.updated':
      target.emit(event.type, event);
      break;
    case 'purchase_order.updated':
      target.emit(event.type, event);
      break;
    case 'catalog.imported':
      target.emit(event.type, event);
      break;
    default: {
      // A contract event without its case does not compile: it would otherwise never reach anyone.
      const unhandled: never = event;
      throw new Error(`no Socket.IO emit for event type ${(unhandled as { type: string }).type}`);
    }
  }
}
