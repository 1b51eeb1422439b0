import type { components } from '../../../generated/openapi';
import { announce, busy, byId, el, field, labelled, replaceChildren, type Child } from './dom';
import { formatCents, formatDateTime, formatNumber, newIdempotencyKey } from './format';
import { t, type MessageKey } from './i18n';
import type { LiveFeed } from './live';
import { queryString, type Session } from './session';

type Return = components['schemas']['Return'];
type ReturnList = components['schemas']['ReturnList'];
type ReturnStatus = components['schemas']['ReturnStatus'];
type Order = components['schemas']['Order'];

const PAGE = 20;

export const returnStatusLabel = (s: ReturnStatus): string => t(`returnStatus.${s}`);

/**
 * The "Resi" page: returns newest first, filtered by status (and by order, from an order's detail),
 * each with its order and customer; one return's detail below the list with its lines and the steps
 * its status allows — approve, reject (with the reason), cancel, receive (per line: received and
 * restocked; scrapped is the rest) and close. Live: `return.updated` reloads the list and the open return.
 */
export class ReturnsView {
  private returns: Return[] = [];
  private nextCursor: string | null = null;
  private orderFilter: { id: string; number: string } | null = null;
  private open: Return | undefined;
  /** Orders read for their customer's name, by id (a page names each order once). */
  private readonly orders = new Map<string, Order>();
  private readonly filter = byId<HTMLFormElement>('returns-filter');

  constructor(
    private readonly session: Session,
    private readonly openOrder: (orderId: string) => void,
  ) {
    this.filter.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.load();
    });
    byId('returns-status-filter').addEventListener('change', () => void this.load());
    byId('returns-more').addEventListener('click', () => void this.load(true));
  }

  subscribe(live: LiveFeed): void {
    live.on('return.updated', (e) => {
      if (byId('returns-view').hidden) return;
      void this.load();
      if (this.open?.id === e.data.returnId) {
        announce(t('return.updatedLive', { number: e.data.number, status: returnStatusLabel(e.data.status).toLowerCase() }));
        void this.show(e.data.returnId);
      }
    });
  }

  /** Only the returns of one order (from its detail). */
  async showOrder(orderId: string, number: string): Promise<void> {
    this.orderFilter = { id: orderId, number };
    await this.load();
  }

  async load(more = false): Promise<void> {
    const params = new URLSearchParams({ limit: String(PAGE) });
    const status = field(this.filter, 'status');
    if (status) params.set('status', status);
    if (this.orderFilter) params.set('orderId', this.orderFilter.id);
    if (more && this.nextCursor) params.set('cursor', this.nextCursor);
    const said = byId('returns-status');
    byId('returns-error').textContent = '';
    try {
      const page = await this.session.request<ReturnList>('GET', `/returns?${queryString(params)}`);
      await this.readOrders(page.items);
      this.returns = more ? [...this.returns, ...page.items] : page.items;
      this.nextCursor = page.nextCursor;
      said.textContent = this.returns.length === 0 ? t('returns.none') : t('returns.count', { n: this.returns.length });
      this.render();
    } catch (err) {
      byId('returns-error').textContent = t('returns.loadFailed', { message: (err as Error).message });
    }
  }

  clear(): void {
    this.returns = [];
    this.nextCursor = null;
    this.orderFilter = null;
    this.open = undefined;
    this.orders.clear();
    replaceChildren(byId('returns-body'));
    replaceChildren(byId('return-detail-body'));
    byId('return-detail').hidden = true;
    byId('returns-more').hidden = true;
  }

  rerender(): void {
    this.render();
    if (this.open) this.renderDetail(this.open);
  }

  private async readOrders(returns: Return[]): Promise<void> {
    const missing = [...new Set(returns.map((r) => r.orderId))].filter((id) => !this.orders.has(id));
    const read = await Promise.all(missing.map((id) => this.session.request<Order>('GET', `/orders/${id}`).catch(() => undefined)));
    for (const order of read) if (order) this.orders.set(order.id, order);
  }

  private render(): void {
    const of = byId('returns-order-filter');
    of.hidden = this.orderFilter === null;
    replaceChildren(
      of,
      ...(this.orderFilter
        ? [
            t('returns.ofOrder', { number: this.orderFilter.number }),
            ' ',
            el(
              'button',
              {
                type: 'button',
                onclick: () => {
                  this.orderFilter = null;
                  void this.load();
                },
              },
              t('returns.allOrders'),
            ),
          ]
        : []),
    );
    byId('returns-more').hidden = this.nextCursor === null;
    replaceChildren(
      byId('returns-body'),
      ...this.returns.map((r) =>
        el(
          'tr',
          { 'data-return-id': r.id },
          el(
            'td',
            {},
            el(
              'a',
              {
                href: '#returns',
                'aria-label': t('returns.open', { number: r.number }),
                onclick: (e: Event) => {
                  e.preventDefault();
                  void this.show(r.id);
                },
              },
              r.number,
            ),
          ),
          el(
            'td',
            {},
            el(
              'a',
              {
                href: '#returns',
                onclick: (e: Event) => {
                  e.preventDefault();
                  this.openOrder(r.orderId);
                },
              },
              r.orderNumber,
            ),
          ),
          el('td', {}, this.orders.get(r.orderId)?.customer.name ?? r.customerId),
          el('td', { 'data-testid': 'return-status' }, returnStatusLabel(r.status)),
          el('td', { class: 'num' }, formatNumber(r.lines.reduce((n, l) => n + l.quantity, 0))),
          el('td', { class: 'muted' }, el('time', { datetime: r.createdAt }, formatDateTime(r.createdAt))),
        ),
      ),
    );
  }

  /** Reads one return and shows it below the list, focused. */
  async show(id: string): Promise<void> {
    const section = byId('return-detail');
    try {
      const r = await this.session.request<Return>('GET', `/returns/${id}`);
      this.open = r;
      section.hidden = false;
      this.renderDetail(r);
      section.focus();
    } catch (err) {
      section.hidden = false;
      replaceChildren(byId('return-detail-body'), el('p', { class: 'error', role: 'alert' }, t('return.loadFailed', { message: (err as Error).message })));
    }
  }

  private renderDetail(r: Return): void {
    byId('return-detail-title').textContent = t('return.title', { number: r.number });
    replaceChildren(
      byId('return-detail-body'),
      el(
        'p',
        {},
        el('span', { class: 'status-badge', 'data-testid': 'return-detail-status' }, returnStatusLabel(r.status)),
        ' ',
        t('return.head', { order: r.orderNumber, origin: t(`returnOrigin.${r.origin}`), date: formatDateTime(r.createdAt) }),
      ),
      r.note ? el('p', {}, t('return.note', { note: r.note })) : null,
      r.rejectReason ? el('p', {}, t('return.rejectReason', { reason: r.rejectReason })) : null,
      el(
        'p',
        { class: 'return-refund', 'data-testid': 'return-refund' },
        t('return.refund', { proposed: formatCents(r.refund.proposedCents), refunded: formatCents(r.refund.refundedCents) }),
      ),
      el('div', { class: 'error', role: 'alert', id: 'return-error' }),
      el('p', { class: 'result', role: 'status', id: 'return-result' }),
      this.linesTable(r),
      this.steps(r),
    );
  }

  private linesTable(r: Return): HTMLElement {
    const cols: MessageKey[] = [
      'return.col.sku',
      'return.col.product',
      'return.col.reason',
      'return.col.asked',
      'return.col.received',
      'return.col.restocked',
      'return.col.scrapped',
      'return.col.unitGross',
    ];
    return el(
      'section',
      { 'aria-labelledby': 'return-lines-h' },
      el('h4', { id: 'return-lines-h' }, t('return.lines')),
      el(
        'div',
        { class: 'table-scroll' },
        el(
          'table',
          {},
          el('caption', { class: 'visually-hidden' }, t('return.linesCaption')),
          el('thead', {}, el('tr', {}, ...cols.map((k, i) => el('th', { scope: 'col', class: i >= 3 ? 'num' : '' }, t(k))))),
          el(
            'tbody',
            {},
            ...r.lines.map((l) =>
              el(
                'tr',
                { 'data-product-id': l.productId },
                el('td', {}, l.sku),
                el('td', {}, l.name),
                el('td', {}, t(`returnReason.${l.reason}`)),
                el('td', { class: 'num' }, formatNumber(l.quantity)),
                el('td', { class: 'num' }, formatNumber(l.receivedQuantity)),
                el('td', { class: 'num' }, formatNumber(l.restockedQuantity)),
                el('td', { class: 'num', 'data-testid': 'return-scrapped' }, formatNumber(l.scrappedQuantity)),
                el('td', { class: 'num' }, formatCents(l.unitGrossCents)),
              ),
            ),
          ),
        ),
      ),
    );
  }

  private steps(r: Return): HTMLElement {
    const base = `/returns/${r.id}`;
    const steps: HTMLElement[] = [];
    const key = newIdempotencyKey();
    if (r.status === 'requested') {
      steps.push(
        this.step(r, 'return.approve', t('return.approveHelp'), [], () =>
          this.session.request('POST', `${base}/approve`, undefined, { 'idempotency-key': key }),
        ),
      );
      steps.push(
        this.step(
          r,
          'return.reject',
          '',
          [
            labelled(
              t('return.rejectReason.label'),
              el('input', { id: 'rr-reason', name: 'reason', type: 'text', required: true, maxlength: 2000, autocomplete: 'off' }),
            ),
          ],
          (form) => this.session.request('POST', `${base}/reject`, { reason: field(form, 'reason') }, { 'idempotency-key': key }),
          'danger',
        ),
      );
    }
    if (r.status === 'approved') {
      const controls: Child[] = r.lines.flatMap((l, i) => [
        labelled(
          t('return.receivedOf', { product: l.name }),
          el('input', { id: `rr-received-${i}`, name: `received-${i}`, type: 'number', min: 0, max: l.quantity, step: 1, value: l.quantity, required: true }),
        ),
        labelled(
          t('return.restockOf', { product: l.name }),
          el('input', { id: `rr-restock-${i}`, name: `restock-${i}`, type: 'number', min: 0, max: l.quantity, step: 1, value: l.quantity, required: true }),
        ),
      ]);
      steps.push(
        this.step(r, 'return.receive', t('return.receiveHelp'), controls, (form) =>
          this.session.request(
            'POST',
            `${base}/receive`,
            {
              lines: r.lines.map((l, i) => ({
                productId: l.productId,
                receivedQuantity: Number(field(form, `received-${i}`)),
                restockQuantity: Number(field(form, `restock-${i}`)),
              })),
            },
            { 'idempotency-key': key },
          ),
        ),
      );
    }
    if (r.status === 'received') {
      steps.push(this.step(r, 'return.close', '', [], () => this.session.request('POST', `${base}/close`, undefined, { 'idempotency-key': key })));
    }
    if (r.status === 'requested' || r.status === 'approved') {
      steps.push(this.step(r, 'return.cancel', '', [], () => this.session.request('POST', `${base}/cancel`, undefined, { 'idempotency-key': key }), 'danger'));
    }
    return el(
      'section',
      { 'aria-labelledby': 'return-steps-h', class: 'actions' },
      el('h4', { id: 'return-steps-h' }, t('return.steps')),
      ...(steps.length > 0 ? steps : [el('p', {}, t('return.noSteps', { status: returnStatusLabel(r.status).toLowerCase() }))]),
    );
  }

  private step(
    r: Return,
    labelKey: MessageKey,
    help: string,
    controls: Child[],
    run: (form: HTMLFormElement) => Promise<unknown>,
    kind = 'primary',
  ): HTMLElement {
    const label = t(labelKey);
    const form = el(
      'form',
      { class: 'step', 'aria-label': label },
      ...controls,
      el('button', { type: 'submit', class: kind }, label),
      help ? el('p', { class: 'help' }, help) : null,
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const error = byId('return-error');
      error.textContent = '';
      void busy(form, async () => {
        try {
          await run(form);
          const fresh = await this.session.request<Return>('GET', `/returns/${r.id}`);
          this.open = fresh;
          this.renderDetail(fresh);
          const said = t('return.done', { number: fresh.number, status: returnStatusLabel(fresh.status).toLowerCase() });
          byId('return-result').textContent = said;
          announce(said);
          void this.load();
        } catch (err) {
          error.textContent = t('return.failed', { message: (err as Error).message });
        }
      });
    });
    return form;
  }
}
