import type { components } from '../../../generated/openapi';
import { announce, busy, byId, el, replaceChildren } from './dom';
import { CarrierFields } from './carrier-fields';
import { customerLabel, formatNumber, newIdempotencyKey } from './format';
import { statusLabel, t } from './i18n';
import type { LiveFeed } from './live';
import { packingLinesTable } from './packing-lines';
import { PackingTally, type TallyLine } from './packing-tally';
import { ApiError, type Session } from './session';

type Order = components['schemas']['Order'];
type Product = components['schemas']['Product'];
type Shipment = components['schemas']['Shipment'];

const SHIPPABLE: ReadonlySet<Order['status']> = new Set(['in_preparation', 'partially_shipped']);
/** How long a counted line stays highlighted. */
const FLASH_MS = 700;

/** Writes a message into a live region so it is read even when it repeats the last one. */
function say(region: HTMLElement, message: string): void {
  region.textContent = '';
  requestAnimationFrame(() => {
    region.textContent = message;
  });
}

/** Whether a key typed on this element is meant for it (text it takes), not for the scan field. */
const takesText = (node: Element | null): boolean =>
  node instanceof HTMLTextAreaElement ||
  node instanceof HTMLSelectElement ||
  (node instanceof HTMLInputElement && !['button', 'submit', 'checkbox', 'radio'].includes(node.type));

/**
 * The packing view ("Imballaggio"): the units of an order in preparation counted into a parcel with a
 * USB barcode scanner (a keyboard that types the code and Enter) or with + and − per line, then
 * shipped as one shipment holding exactly those units. A code of no line, or one unit too many, is
 * refused on screen (the value shown, no sound) and counts nothing. The scan field keeps the focus:
 * a key typed anywhere else in the view (not in a text field) goes to it, so a scan never presses a
 * button; results are read out by live regions.
 */
export class PackingView {
  private order: Order | undefined;
  private tally: PackingTally | undefined;
  private carrier: CarrierFields | undefined;
  /** The shipment request in flight or last failed without an answer: a retry of the same one reuses its key. */
  private pending: { key: string; body: string } | undefined;
  private submitting = false;
  private lastShipment: Shipment | undefined;
  /** Counts what was shown in the alert box, so a refusal drawn late never hides a later scan's result. */
  private alerts = 0;
  /** The order the view is for (set before it loads, so "back" works even when loading failed). */
  private orderId: string | undefined;

  constructor(
    private readonly session: Session,
    private readonly onBack: (orderId: string) => void,
    private readonly onSlip: (order: Order, shipment: Shipment) => void,
    private readonly onChanged: (order: Order) => void,
  ) {
    byId('pack-back').addEventListener('click', () => {
      if (this.orderId) this.onBack(this.orderId);
    });
    document.addEventListener('keydown', (e) => {
      // Letters and digits only: a space or Enter on a focused button still presses it.
      if (!this.visible || e.ctrlKey || e.metaKey || e.altKey || !/^[\p{L}\p{N}]$/u.test(e.key)) return;
      const scan = document.getElementById('pack-scan');
      if (scan && !takesText(document.activeElement)) scan.focus();
    });
  }

  get showing(): boolean {
    return this.orderId !== undefined;
  }

  private get visible(): boolean {
    return this.showing && !byId('packing-view').hidden;
  }

  subscribe(live: LiveFeed): void {
    // Not while a shipment request is out or unanswered: its own events would shrink the parcel, and
    // the retry of that same parcel (same key) must be able to fetch the shipment it may have made.
    const refreshIfOpen = (orderId: string) => {
      if (this.order?.id === orderId && !this.submitting && !this.pending) void this.refresh();
    };
    live.on('order.status_changed', (e) => refreshIfOpen(e.data.orderId));
    live.on('shipment.updated', (e) => refreshIfOpen(e.data.orderId));
  }

  /** Opens the view for an order: reads it and its products' barcodes once. */
  async open(orderId: string): Promise<void> {
    this.orderId = orderId;
    this.order = undefined;
    this.tally = undefined;
    this.carrier = undefined;
    this.pending = undefined;
    this.lastShipment = undefined;
    byId('pack-title').textContent = t('pack.heading');
    replaceChildren(byId('pack-body'), el('p', { role: 'status' }, t('pack.loading')));
    try {
      const order = await this.session.request<Order>('GET', `/orders/${orderId}`);
      const products = await Promise.all(order.items.map((i) => this.session.request<Product>('GET', `/products/${i.productId}`).catch(() => undefined)));
      const barcodes = new Map(products.filter((p) => p !== undefined).map((p) => [p.id, p.barcode]));
      this.order = order;
      this.tally = new PackingTally(
        order.items.map((i) => ({
          productId: i.productId,
          sku: i.sku,
          name: i.name,
          barcode: barcodes.get(i.productId) ?? null,
          remaining: i.quantity - i.shippedQuantity - i.cancelledQuantity,
          packed: 0,
        })),
      );
      this.carrier = new CarrierFields('pk');
      this.render();
    } catch (err) {
      replaceChildren(byId('pack-body'), el('p', { class: 'error', role: 'alert' }, t('pack.loadFailed', { message: (err as Error).message })));
    }
  }

  clear(): void {
    this.orderId = undefined;
    this.order = undefined;
    this.tally = undefined;
    this.carrier = undefined;
    replaceChildren(byId('pack-body'));
  }

  /** Draws the view again (after a language switch), keeping what was counted. */
  rerender(): void {
    if (!this.tally) return;
    this.carrier = new CarrierFields('pk');
    this.render();
  }

  /** Puts the focus in the scan field (or on the title when there is nothing to scan). */
  focus(): void {
    (document.getElementById('pack-scan') ?? byId('pack-title')).focus();
  }

  /** Someone shipped or cancelled units of this order meanwhile: fresh counts, the parcel kept within them. */
  private async refresh(): Promise<void> {
    const order = this.order;
    const tally = this.tally;
    if (!order || !tally) return;
    const fresh = await this.session.request<Order>('GET', `/orders/${order.id}`);
    if (this.order?.id !== fresh.id) return;
    this.order = fresh;
    const lowered = tally.refresh(new Map(fresh.items.map((i) => [i.productId, i.quantity - i.shippedQuantity - i.cancelledQuantity])));
    const active = document.activeElement;
    this.render();
    // The carrier's fields are the same nodes after a redraw; the scan field is a new one.
    if (active instanceof HTMLElement && active.isConnected) active.focus();
    else if (active?.id === 'pack-scan') this.focus();
    if (lowered.length > 0) this.refuse(t('pack.lowered', { skus: lowered.map((l) => l.sku).join(', ') }));
  }

  private render(): void {
    const order = this.order!;
    const tally = this.tally!;
    byId('pack-title').textContent = t('pack.title', { number: order.number });
    const open = SHIPPABLE.has(order.status) && tally.remainingUnits > 0;
    replaceChildren(
      byId('pack-body'),
      el(
        'p',
        { class: 'order-head' },
        el('span', { class: `status-badge status-${order.status}`, 'data-testid': 'pack-status-badge' }, statusLabel(order.status)),
        ` ${customerLabel(order)} · ${order.shippingAddress.city}`,
      ),
      open
        ? this.scanForm()
        : el(
            'p',
            { class: 'pack-done' },
            SHIPPABLE.has(order.status) ? t('pack.allShipped') : t('pack.notShippable', { status: statusLabel(order.status).toLowerCase() }),
          ),
      el('div', { id: 'pack-alert', class: 'pack-alert', role: 'alert' }),
      el('p', { id: 'pack-said', class: 'pack-said', role: 'status', 'aria-live': 'polite' }),
      el('div', { id: 'pack-result' }),
      this.linesTable(open),
      el('p', { id: 'pack-summary', class: 'pack-summary' }, this.summary()),
      open ? this.shipForm() : null,
    );
    if (this.lastShipment) this.showResult(this.lastShipment);
  }

  private scanForm(): HTMLElement {
    const input = el('input', {
      id: 'pack-scan',
      name: 'code',
      type: 'text',
      inputmode: 'numeric',
      autocomplete: 'off',
      autocapitalize: 'off',
      spellcheck: 'false',
      enterkeyhint: 'enter',
      maxlength: 64,
      'aria-describedby': 'pack-scan-help',
    });
    const form = el(
      'form',
      { id: 'pack-scan-form', class: 'pack-scan', role: 'search', 'aria-label': t('pack.scan') },
      el('label', { for: 'pack-scan' }, t('pack.scan')),
      el('div', { class: 'pack-scan-row' }, input, el('button', { type: 'submit' }, t('pack.scanSubmit'))),
      el('p', { id: 'pack-scan-help', class: 'help' }, t('pack.scanHelp')),
    );
    // Counted at once, with no request: a scanner's codes arrive faster than any round trip.
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const code = input.value;
      input.value = '';
      input.focus();
      if (code.trim()) this.scan(code);
    });
    return form;
  }

  private scan(code: string): void {
    const outcome = this.tally!.scan(code);
    if (outcome.kind === 'unknown') return this.refuse(t('pack.unknown', { code: outcome.code }), outcome.code);
    const l = outcome.line;
    if (outcome.kind === 'too-many') {
      return this.refuse(t('pack.tooMany', { code: outcome.code, sku: l.sku, name: l.name, remaining: formatNumber(l.remaining) }), outcome.code, l);
    }
    this.counted(l, t('pack.counted', { sku: l.sku, name: l.name, packed: formatNumber(l.packed), remaining: formatNumber(l.remaining) }));
  }

  /** A refusal: shown in the alert box with the scanned value, the row (if any) marked; nothing counted. */
  private refuse(message: string, code?: string, line?: TallyLine): void {
    const alert = byId('pack-alert');
    const shown = ++this.alerts;
    replaceChildren(alert);
    // Filled in the next frame, so a refusal that repeats the last one is announced again.
    requestAnimationFrame(() => {
      if (shown !== this.alerts) return; // a later scan cleared or replaced it
      replaceChildren(
        alert,
        el('strong', {}, t('pack.refusedTitle')),
        code ? el('span', { class: 'pack-code', 'data-testid': 'refused-code' }, code) : null,
        el('span', {}, message),
      );
    });
    byId('pack-said').textContent = '';
    if (line) this.flash(line, 'refused');
  }

  private counted(line: TallyLine, message: string): void {
    this.alerts += 1;
    replaceChildren(byId('pack-alert'));
    say(byId('pack-said'), message);
    const row = document.querySelector<HTMLElement>(`#pack-lines tr[data-product-id="${line.productId}"]`);
    if (row) {
      row.querySelector('[data-testid="packed"]')!.textContent = formatNumber(line.packed);
      row.classList.toggle('complete', line.packed === line.remaining);
    }
    byId('pack-summary').textContent = this.summary();
    this.flash(line, 'counted');
  }

  private flash(line: TallyLine, kind: 'counted' | 'refused'): void {
    const row = document.querySelector<HTMLElement>(`#pack-lines tr[data-product-id="${line.productId}"]`);
    if (!row) return;
    row.classList.remove('counted', 'refused');
    row.classList.add(kind);
    setTimeout(() => row.classList.remove(kind), FLASH_MS);
  }

  private summary(): string {
    const tally = this.tally!;
    return t('pack.summary', { packed: formatNumber(tally.packedUnits), remaining: formatNumber(tally.remainingUnits) });
  }

  private linesTable(open: boolean): HTMLElement {
    const tally = this.tally!;
    const step = (line: TallyLine, delta: 1 | -1) => (e: Event) => {
      if (!tally.step(line.productId, delta)) {
        if (delta === 1) this.refuse(t('pack.plusRefused', { sku: line.sku }), undefined, line);
      } else {
        const vars = { sku: line.sku, name: line.name, packed: formatNumber(line.packed), remaining: formatNumber(line.remaining) };
        this.counted(line, delta === 1 ? t('pack.counted', vars) : t('pack.minusDone', vars));
      }
      // A tap or click hands the focus back to the scan field; a keyboard user stays on the button.
      if ((e as MouseEvent).detail > 0) this.focus();
    };
    return packingLinesTable(tally.lines, open, step);
  }

  private shipForm(): HTMLElement {
    const carrier = this.carrier!;
    const form = el(
      'form',
      { id: 'pack-ship-form', class: 'pack-ship', 'aria-labelledby': 'pack-ship-h' },
      el('h3', { id: 'pack-ship-h' }, t('pack.shipTitle')),
      carrier.element,
      el('div', { class: 'buttons' }, el('button', { type: 'submit', class: 'primary' }, t('pack.ship'))),
      el('p', { class: 'help' }, t('pack.shipHelp')),
      el('p', { id: 'pack-ship-error', class: 'error', role: 'alert' }),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.ship(form);
    });
    return form;
  }

  private async ship(form: HTMLFormElement): Promise<void> {
    const order = this.order!;
    const tally = this.tally!;
    const error = byId('pack-ship-error');
    error.textContent = '';
    if (tally.packedUnits === 0) {
      error.textContent = t('pack.nothingPacked');
      return this.focus();
    }
    const read = this.carrier!.read();
    if (!read.ok) {
      error.textContent = read.message;
      read.control.focus();
      return;
    }
    const body = { ...read.body, lines: tally.shipmentLines() };
    const fingerprint = JSON.stringify(body);
    // The same parcel sent again after no answer reuses its key (at most one shipment); anything else is a new attempt.
    if (this.pending?.body !== fingerprint) this.pending = { key: newIdempotencyKey(), body: fingerprint };
    const key = this.pending.key;
    this.submitting = true;
    await busy(form, async () => {
      try {
        const shipment = await this.session.request<Shipment>('POST', `/orders/${order.id}/shipments`, body, { 'idempotency-key': key });
        this.pending = undefined;
        const fresh = await this.session.request<Order>('GET', `/orders/${order.id}`);
        this.order = fresh;
        tally.reset();
        tally.refresh(new Map(fresh.items.map((i) => [i.productId, i.quantity - i.shippedQuantity - i.cancelledQuantity])));
        this.carrier!.clearTracking();
        this.lastShipment = shipment;
        this.onChanged(fresh);
        this.render();
        this.focus();
        announce(this.resultMessage(shipment));
      } catch (err) {
        const unanswered = !(err instanceof ApiError) || err.status === 0 || err.status >= 500 || err.problem?.code === 'idempotency-request-in-progress';
        if (!unanswered) this.pending = undefined;
        error.textContent = t(unanswered ? 'pack.shipUnanswered' : 'pack.shipFailed', { message: (err as Error).message });
        if (err instanceof ApiError && err.problem?.code === 'over-shipment') await this.overShipment(err);
      }
    });
    this.submitting = false;
  }

  /** 409 over-shipment: someone shipped meanwhile; the counts are read again and the parcel kept within them. */
  private async overShipment(err: ApiError): Promise<void> {
    const line = this.tally!.lines.find((l) => l.productId === err.problem?.productId);
    await this.refresh();
    if (line)
      byId('pack-ship-error').textContent = t('pack.overShipment', {
        sku: line.sku,
        remaining: formatNumber(err.problem?.remainingQuantity ?? line.remaining),
      });
  }

  private resultMessage(shipment: Shipment): string {
    const order = this.order!;
    const units = shipment.lines.reduce((n, l) => n + l.quantity, 0);
    return t('pack.shipped', {
      carrier: shipment.carrierName,
      tracking: shipment.trackingCode,
      units: formatNumber(units),
      number: order.number,
      status: statusLabel(order.status).toLowerCase(),
    });
  }

  /** The last shipment made here, with its slip and the way back to the order (read out by `announce` when made). */
  private showResult(shipment: Shipment): void {
    const order = this.order!;
    const message = this.resultMessage(shipment);
    replaceChildren(
      byId('pack-result'),
      el(
        'section',
        { class: 'pack-result', 'aria-label': message },
        el('p', { class: 'result', 'data-testid': 'pack-shipped' }, message),
        el(
          'div',
          { class: 'buttons' },
          el('button', { type: 'button', onclick: () => this.onSlip(order, shipment) }, t('pack.slip')),
          el('button', { type: 'button', onclick: () => this.onBack(order.id) }, t('pack.back')),
        ),
      ),
    );
  }
}
