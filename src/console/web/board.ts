import type { components } from '../../../generated/openapi';
import { announce, byId, el, field, replaceChildren, wireSearch } from './dom';
import { customerLabel, formatCents, formatDateTime, matchesOrder, STATUSES, type OrderStatus } from './format';
import { statusLabel, t } from './i18n';
import type { LiveFeed } from './live';
import { ApiError, queryString, type Session } from './session';

type OrderSummary = components['schemas']['OrderSummary'];
type OrderList = components['schemas']['OrderList'];
type Order = components['schemas']['Order'];
/** What a card shows: an order summary, or what an `order.created` event says about a new order. */
type Card = Pick<OrderSummary, 'id' | 'number' | 'customerId' | 'status' | 'totals' | 'createdAt'> & {
  itemCount?: number | undefined;
  customer?: OrderSummary['customer'] | undefined;
};

/** Every column is filled from one page of all statuses (the contract's largest); "more" loads the next one. */
const BOARD_PAGE = 100;
const FRESH_MS = 8000;

export const toCard = (o: OrderSummary | Order): Card => ({
  id: o.id,
  number: o.number,
  customerId: o.customerId,
  customer: o.customer,
  status: o.status,
  totals: o.totals,
  createdAt: o.createdAt,
  itemCount: 'items' in o ? o.items.length : o.itemCount,
});

/**
 * The orders board: one column per status, newest first, kept current by order events. A card
 * whose event does not follow from what the board shows (missed or out of order) is re-read over REST.
 */
export class OrdersBoard {
  private readonly cards = new Map<string, Card>();
  private readonly cursors = new Map<OrderStatus, string | null>();
  private readonly fresh = new Map<string, number>();
  /** The search (order number, customer name or email) the server filtered the board by; '' = none. */
  private query = '';
  /** Events that arrive while the columns load wait for the load, then apply on top of it. */
  private loading: Promise<void> | undefined;
  private readonly queued: (() => void)[] = [];

  constructor(
    private readonly session: Session,
    private readonly openOrder: (id: string) => void,
  ) {
    // The search asks the server (`GET /orders?q=`), so orders beyond the loaded page are found too.
    const form = byId<HTMLFormElement>('order-filter');
    wireSearch(form, byId('orders-reload'), () => {
      this.query = field(form, 'q');
      void this.load();
    });
  }

  subscribe(live: LiveFeed): void {
    live.on('order.created', (event) =>
      this.afterLoad(() => {
        const d = event.data;
        if (this.cards.has(d.orderId)) return;
        announce(t('orders.announceNew', { number: d.number, total: formatCents(d.totals.grossCents) }));
        // While searching, a new order joins the board only if it matches (read it for its customer).
        if (this.query) return void this.reread(d.orderId, true);
        this.put({ id: d.orderId, number: d.number, customerId: d.customerId, status: d.status, totals: d.totals, createdAt: event.occurredAt });
        // The event names the customer by id only: read the order once for the name on the card.
        void this.reread(d.orderId);
        this.fresh.set(d.orderId, Date.now());
        setTimeout(() => this.render(), FRESH_MS + 50);
        this.render();
      }),
    );
    live.on('order.status_changed', (event) =>
      this.afterLoad(() => {
        const d = event.data;
        const card = this.cards.get(d.orderId);
        if (card && card.status === d.from) {
          this.put({ ...card, status: d.to });
          this.render();
        } else if ((!card && !this.query) || (card && card.status !== d.to)) {
          void this.reread(d.orderId);
        }
        // A further parcel of a partly shipped order keeps its status: said as a parcel, not as a change.
        if (d.from === d.to) announce(t('orders.announceParcel', { number: d.number, status: statusLabel(d.to).toLowerCase() }));
        else announce(t('orders.announceStatus', { number: d.number, from: statusLabel(d.from), to: statusLabel(d.to) }));
      }),
    );
  }

  /**
   * Loads the first page of every column over REST, for the current search (events arriving meanwhile
   * are applied after it; a search typed meanwhile loads again).
   */
  load(): Promise<void> {
    this.loading ??= this.loadColumns().finally(() => {
      this.loading = undefined;
      for (const apply of this.queued.splice(0)) apply();
      if (this.loadedQuery !== this.query) void this.load();
    });
    return this.loading;
  }

  private loadedQuery = '';

  /** The list's query string: every status (one request for the board), the search, a page's cursor. */
  private listQuery(cursor?: string): string {
    const params = new URLSearchParams(STATUSES.map((s) => ['status', s]));
    params.set('limit', String(BOARD_PAGE));
    if (this.query) params.set('q', this.query);
    if (cursor) params.set('cursor', cursor);
    return queryString(params);
  }

  private afterLoad(apply: () => void): void {
    if (this.loading) this.queued.push(apply);
    else apply();
  }

  // One request for every column (`status` repeated). A cursor is bound to the filters of the list
  // that issued it, so "more" (under any column) asks for the next page of that same combined list
  // and spreads its orders over the columns.
  private async loadColumns(): Promise<void> {
    const status = byId('orders-status');
    status.textContent = t('orders.loading');
    const query = this.query;
    this.loadedQuery = query;
    try {
      const page = await this.session.request<OrderList>('GET', `/orders?${this.listQuery()}`);
      if (query !== this.query) return; // a newer search follows
      this.cards.clear();
      for (const o of page.items) this.put(toCard(o));
      for (const s of STATUSES) this.cursors.set(s, page.nextCursor);
      status.textContent = !query ? '' : page.items.length === 0 ? t('orders.searchNone', { q: query }) : t('orders.searchFound', { q: query });
      this.render();
    } catch (err) {
      status.textContent = t('orders.loadFailed', { message: (err as Error).message });
    }
  }

  /** Takes in an order the console changed or read (the event will confirm it). */
  upsert(order: Order): void {
    this.put(toCard(order));
    this.render();
  }

  clear(): void {
    this.queued.length = 0;
    this.cards.clear();
    this.cursors.clear();
    replaceChildren(byId('board'));
  }

  private async more(status: OrderStatus): Promise<void> {
    const cursor = this.cursors.get(status);
    if (!cursor) return;
    const page = await this.session.request<OrderList>('GET', `/orders?${this.listQuery(cursor)}`);
    for (const o of page.items) this.put(toCard(o));
    for (const s of STATUSES) this.cursors.set(s, page.nextCursor);
    this.render();
  }

  /** Reads one order onto the board; with `ifMatching`, only when it matches the search. */
  private async reread(id: string, ifMatching = false): Promise<void> {
    try {
      const card = toCard(await this.session.request<Order>('GET', `/orders/${id}`));
      if (ifMatching && !matchesOrder(card, this.query.toUpperCase())) return;
      this.put(card);
      this.render();
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) this.cards.delete(id);
    }
  }

  private put(card: Card): void {
    const known = this.cards.get(card.id);
    this.cards.set(card.id, { ...card, itemCount: card.itemCount ?? known?.itemCount, customer: card.customer ?? known?.customer });
  }

  /** Draws the board again (after a language switch). */
  rerender(): void {
    if (this.cards.size > 0 || this.cursors.size > 0) this.render();
  }

  private render(): void {
    const board = byId('board');
    const focused = (document.activeElement as HTMLElement | null)?.dataset['orderId'];
    const now = Date.now();
    const sorted = [...this.cards.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.number.localeCompare(a.number));
    replaceChildren(
      board,
      ...STATUSES.map((status) => {
        const cards = sorted.filter((c) => c.status === status);
        const headingId = `col-${status}`;
        return el(
          'section',
          { class: `column status-${status}`, 'aria-labelledby': headingId, 'data-status': status },
          el('h3', { id: headingId }, statusLabel(status), ' ', el('span', { class: 'count' }, `(${cards.length})`)),
          cards.length === 0 ? el('p', { class: 'empty' }, t('orders.empty')) : null,
          el(
            'ul',
            { class: 'cards' },
            ...cards.map((c) => {
              const isFresh = now - (this.fresh.get(c.id) ?? 0) < FRESH_MS;
              return el(
                'li',
                {},
                el(
                  'button',
                  {
                    type: 'button',
                    class: isFresh ? 'card fresh' : 'card',
                    'data-order-id': c.id,
                    'data-order-number': c.number,
                    onclick: () => this.openOrder(c.id),
                  },
                  // The name is the visible text (WCAG 2.5.3), with the words a screen reader needs around it.
                  el('span', { class: 'visually-hidden' }, t('orders.cardPrefix')),
                  el('span', { class: 'number' }, c.number),
                  el('span', { class: 'total' }, formatCents(c.totals.grossCents)),
                  el('span', { class: 'customer' }, customerLabel(c)),
                  el(
                    'span',
                    { class: 'meta' },
                    formatDateTime(c.createdAt),
                    c.itemCount !== undefined ? ` · ${c.itemCount === 1 ? t('orders.lines.one') : t('orders.lines.many', { n: c.itemCount })}` : '',
                  ),
                  isFresh ? el('span', { class: 'badge-new' }, t('orders.new')) : null,
                ),
              );
            }),
          ),
          this.cursors.get(status)
            ? el(
                'button',
                { type: 'button', class: 'more', onclick: () => void this.more(status) },
                t('orders.more', { status: statusLabel(status).toLowerCase() }),
              )
            : null,
        );
      }),
    );
    if (focused) board.querySelector<HTMLElement>(`[data-order-id="${focused}"]`)?.focus();
  }
}
