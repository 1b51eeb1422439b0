import { io, type Socket } from 'socket.io-client';
import type { ServerToClientEvents, QuickStockEvent } from '../../../generated/asyncapi';
import type { Session } from './session';

export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'offline';
type EventName = keyof ServerToClientEvents;
type Handler<K extends EventName> = ServerToClientEvents[K];

const EVENT_NAMES: readonly EventName[] = [
  'order.created',
  'order.status_changed',
  'inventory.low_stock',
  'inventory.stock_changed',
  'payment.updated',
  'refund.updated',
  'shipment.updated',
  'webhook.subscription_disabled',
  'email.resent',
  'return.updated',
  'purchase_order.updated',
  'catalog.imported',
];
const SEEN_MAX = 5000;

/**
 * The Socket.IO channel, used exactly as the AsyncAPI contract tells integrators: the access token
 * and the last event id in the handshake's `auth` (re-read on every reconnection, so a reconnect
 * replays what was missed), de-duplication by event id, and a reconnection with a fresh token
 * when the server cuts the socket (token expired) or refuses it (`unauthorized`).
 */
export class LiveFeed {
  private socket: Socket | undefined;
  private lastEventId: number | undefined;
  private readonly seen = new Set<number>();
  private readonly handlers = new Map<EventName, Set<(event: QuickStockEvent) => void>>();
  private tokenAtConnect: string | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private refusals = 0;

  /**
   * @param onResync called when the socket reconnects without a replay cursor (no event seen yet):
   *   what happened meanwhile cannot be replayed, so views reload over REST.
   */
  constructor(
    private readonly session: Session,
    private readonly onState: (state: LiveState) => void,
    private readonly onResync: () => void,
  ) {}

  on<K extends EventName>(name: K, handler: Handler<K>): void {
    let set = this.handlers.get(name);
    if (!set) this.handlers.set(name, (set = new Set()));
    set.add(handler as (event: QuickStockEvent) => void);
  }

  start(): void {
    this.stop();
    this.onState('connecting');
    const socket = io({
      path: '/socket.io',
      transports: ['websocket'],
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000,
      auth: (cb) => {
        this.tokenAtConnect = this.session.token;
        cb(this.lastEventId === undefined ? { token: this.tokenAtConnect } : { token: this.tokenAtConnect, lastEventId: this.lastEventId });
      },
    });
    this.socket = socket;
    let connectedBefore = false;
    socket.on('connect', () => {
      this.refusals = 0;
      this.onState('live');
      if (connectedBefore && this.lastEventId === undefined) this.onResync();
      connectedBefore = true;
    });
    socket.on('disconnect', (reason) => {
      if (reason === 'io client disconnect') return this.onState('offline');
      this.onState('reconnecting');
      // The server cut us (token expired, session signed out, role changed): the client must
      // reconnect by itself, with a fresh token. Otherwise Socket.IO reconnects on its own.
      if (reason === 'io server disconnect') void this.reconnectWithFreshToken();
    });
    socket.on('connect_error', (err) => {
      this.onState('reconnecting');
      // A refused handshake is not retried by Socket.IO; a transport failure is.
      if (!socket.active) void this.reconnectWithFreshToken();
      else if (err.message === 'unauthorized') void this.session.refresh();
    });
    socket.io.on('reconnect_failed', () => this.onState('offline'));
    for (const name of EVENT_NAMES) {
      socket.on(name, (event: QuickStockEvent) => this.receive(name, event));
    }
  }

  stop(): void {
    clearTimeout(this.retryTimer);
    if (this.socket) {
      this.socket.removeAllListeners();
      this.socket.io.removeAllListeners();
      this.socket.disconnect();
      this.socket = undefined;
    }
    this.lastEventId = undefined;
    this.seen.clear();
  }

  private async reconnectWithFreshToken(): Promise<void> {
    const socket = this.socket;
    if (!socket) return;
    this.refusals += 1;
    // The token we connected with is the one that was refused or expired: rotate unless a scheduled refresh already did.
    if (this.session.token === undefined || this.session.token === this.tokenAtConnect) {
      const ok = await this.session.refresh();
      if (!ok && this.session.token === undefined) return; // signed out: the session ends the feed
    }
    clearTimeout(this.retryTimer);
    // Back off when the server keeps cutting us, so a misbehaving session does not hammer it.
    const delay = Math.min(30_000, 250 * 2 ** Math.min(this.refusals, 7));
    this.retryTimer = setTimeout(() => {
      if (this.socket === socket && !socket.connected) socket.connect();
    }, delay);
  }

  private receive(name: EventName, event: QuickStockEvent): void {
    // Delivery is at least once (replay overlaps the live stream): act once per id.
    if (this.seen.has(event.id)) return;
    this.seen.add(event.id);
    if (this.seen.size > SEEN_MAX) {
      for (const id of this.seen) {
        this.seen.delete(id);
        if (this.seen.size <= SEEN_MAX / 2) break;
      }
    }
    this.lastEventId = Math.max(this.lastEventId ?? 0, event.id);
    for (const handler of this.handlers.get(name) ?? []) {
      try {
        handler(event);
      } catch (err) {
        reportError(err);
      }
    }
  }
}
