import type { components } from '../../../generated/openapi';
import { announce, busy, byId, el, field, replaceChildren } from './dom';
import { formatCents, formatNumber, newIdempotencyKey } from './format';
import { t, type MessageKey } from './i18n';
import type { LiveFeed } from './live';
import { ApiError, queryString, type Session } from './session';
import { gtin, receivingTable, type ReceivingLine } from './purchasing-receiving';

type Supplier = components['schemas']['Supplier'];
type SupplierList = components['schemas']['SupplierList'];
type PurchaseOrder = components['schemas']['PurchaseOrder'];
type PurchaseOrderList = components['schemas']['PurchaseOrderList'];
type PurchaseOrderStatus = components['schemas']['PurchaseOrderStatus'];
type Proposals = components['schemas']['PurchaseOrderProposals'];
type Accepted = components['schemas']['AcceptedProposals'];
type GoodsReceipt = components['schemas']['GoodsReceipt'];
type Product = components['schemas']['Product'];

const poStatus = (s: PurchaseOrderStatus): string => t(`po.status.${s}` as MessageKey);

/**
 * "Acquisti": suppliers, purchase orders (by status; detail with send and cancel; the PDF), the
 * proposals from low stock ("Proponi ordini") and the receiving view, where each scan of a product's
 * barcode counts one unit of the open order (like packing: a USB scanner types the code and Enter),
 * then "Registra ricevimento" records exactly what was counted as one goods receipt.
 */
export class PurchasingView {
  private orders: PurchaseOrder[] = [];
  private open: PurchaseOrder | undefined;
  private receiving: { order: PurchaseOrder; lines: ReceivingLine[]; key: string } | undefined;

  constructor(private readonly session: Session) {
    byId<HTMLFormElement>('po-filter').addEventListener('change', () => void this.load());
    byId('po-propose').addEventListener('click', () => void this.propose());
    const form = byId<HTMLFormElement>('supplier-create');
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.createSupplier(form);
    });
  }

  subscribe(live: LiveFeed): void {
    live.on('purchase_order.updated', (e) => {
      if (!this.receiving && !byId('purchasing-view').hidden) void this.load();
      if (this.open?.id === e.data.purchaseOrderId && !this.receiving) void this.openOrder(e.data.purchaseOrderId);
    });
  }

  async load(): Promise<void> {
    const status = field(byId<HTMLFormElement>('po-filter'), 'status');
    const params = new URLSearchParams({ limit: '50' });
    if (status) params.set('status', status);
    try {
      const [page, suppliers] = await Promise.all([
        this.session.request<PurchaseOrderList>('GET', `/purchase-orders?${queryString(params)}`),
        this.session.request<SupplierList>('GET', '/suppliers?limit=100'),
      ]);
      this.orders = page.items;
      byId('po-status').textContent = this.orders.length === 0 ? t('po.none') : t('po.count', { n: this.orders.length });
      this.renderOrders();
      this.renderSuppliers(suppliers.items);
    } catch (err) {
      byId('po-status').textContent = t('po.loadFailed', { message: (err as Error).message });
    }
  }

  clear(): void {
    this.orders = [];
    this.open = undefined;
    this.receiving = undefined;
    replaceChildren(byId('po-body'));
    replaceChildren(byId('po-detail'));
    replaceChildren(byId('suppliers-body'));
  }

  private renderOrders(): void {
    replaceChildren(
      byId('po-body'),
      ...this.orders.map((o) =>
        el(
          'tr',
          { 'data-number': o.number },
          el('td', {}, el('button', { type: 'button', class: 'link', onclick: () => void this.openOrder(o.id) }, o.number)),
          el('td', {}, o.supplierName),
          el('td', { 'data-testid': 'po-status' }, poStatus(o.status)),
          el('td', { class: 'num' }, formatCents(o.totalCents)),
        ),
      ),
    );
  }

  private renderSuppliers(suppliers: Supplier[]): void {
    replaceChildren(
      byId('suppliers-body'),
      ...suppliers.map((s) =>
        el('tr', {}, el('td', {}, s.name), el('td', {}, s.vatNumber ?? '—'), el('td', {}, s.email ?? '—'), el('td', { class: 'num' }, s.leadTimeDays ?? '—')),
      ),
    );
  }

  private async createSupplier(form: HTMLFormElement): Promise<void> {
    const error = byId('supplier-error');
    error.textContent = '';
    const lead = field(form, 'leadTimeDays');
    const body = {
      name: field(form, 'name'),
      ...(field(form, 'vatNumber') ? { vatNumber: field(form, 'vatNumber') } : {}),
      ...(field(form, 'email') ? { email: field(form, 'email') } : {}),
      ...(lead ? { leadTimeDays: Number(lead) } : {}),
    };
    await busy(form, async () => {
      try {
        const s = await this.session.request<Supplier>('POST', '/suppliers', body, { 'idempotency-key': newIdempotencyKey() });
        form.reset();
        announce(t('supplier.created', { name: s.name }));
        byId('supplier-result').textContent = t('supplier.created', { name: s.name });
        await this.load();
      } catch (err) {
        error.textContent = t('supplier.failed', { message: (err as Error).message });
      }
    });
  }

  async openOrder(id: string): Promise<void> {
    this.receiving = undefined;
    try {
      this.open = await this.session.request<PurchaseOrder>('GET', `/purchase-orders/${id}`);
      this.renderDetail();
    } catch (err) {
      replaceChildren(byId('po-detail'), el('p', { class: 'error', role: 'alert' }, (err as Error).message));
    }
  }

  private renderDetail(message?: string): void {
    const o = this.open!;
    const can = (statuses: PurchaseOrderStatus[]) => statuses.includes(o.status);
    replaceChildren(
      byId('po-detail'),
      el(
        'section',
        { 'aria-labelledby': 'po-detail-title', class: 'po-detail' },
        el('h3', { id: 'po-detail-title', tabindex: -1 }, t('po.detailTitle', { number: o.number })),
        el('p', {}, `${o.supplierName} · `, el('span', { 'data-testid': 'po-detail-status' }, poStatus(o.status))),
        el(
          'table',
          {},
          el('caption', { class: 'visually-hidden' }, t('po.linesCaption')),
          el(
            'thead',
            {},
            el(
              'tr',
              {},
              ...(['po.col.sku', 'po.col.name', 'po.col.ordered', 'po.col.received', 'po.col.cost'] as const).map((k) =>
                el('th', { scope: 'col', class: k === 'po.col.sku' || k === 'po.col.name' ? '' : 'num' }, t(k)),
              ),
            ),
          ),
          el(
            'tbody',
            {},
            ...o.lines.map((l) =>
              el(
                'tr',
                {},
                el('td', {}, l.sku),
                el('td', {}, l.name),
                el('td', { class: 'num' }, formatNumber(l.quantity)),
                el('td', { class: 'num' }, formatNumber(l.receivedQuantity)),
                el('td', { class: 'num' }, formatCents(l.unitCostCents)),
              ),
            ),
          ),
        ),
        el('p', {}, t('po.total', { total: formatCents(o.totalCents) })),
        el(
          'div',
          { class: 'buttons' },
          can(['draft']) ? el('button', { type: 'button', class: 'primary', onclick: () => void this.step('send') }, t('po.send')) : null,
          can(['sent', 'partially_received'])
            ? el('button', { type: 'button', class: 'primary', onclick: () => void this.startReceiving() }, t('po.receive'))
            : null,
          can(['draft', 'sent']) ? el('button', { type: 'button', onclick: () => void this.step('cancel') }, t('po.cancel')) : null,
          el('button', { type: 'button', onclick: () => void this.pdf() }, t('po.pdf')),
        ),
        el('p', { id: 'po-detail-result', class: 'result', role: 'status' }, message ?? ''),
        el('p', { id: 'po-detail-error', class: 'error', role: 'alert' }),
      ),
    );
  }

  private async step(step: 'send' | 'cancel'): Promise<void> {
    const o = this.open!;
    try {
      this.open = await this.session.request<PurchaseOrder>('POST', `/purchase-orders/${o.id}/${step}`, undefined, { 'idempotency-key': newIdempotencyKey() });
      const message = t(step === 'send' ? 'po.sent' : 'po.cancelled', { number: o.number });
      this.renderDetail(message);
      announce(message);
      void this.load();
    } catch (err) {
      byId('po-detail-error').textContent = (err as Error).message;
    }
  }

  /** The PDF is fetched with the bearer token and shown from a blob URL (a plain link would carry no token). */
  private async pdf(): Promise<void> {
    const o = this.open!;
    try {
      const blob = await this.session.download(`/purchase-orders/${o.id}/pdf`);
      window.open(URL.createObjectURL(blob), '_blank', 'noopener');
    } catch (err) {
      byId('po-detail-error').textContent = (err as Error).message;
    }
  }

  /** "Proponi ordini": the proposals from low stock, then "Crea le bozze". */
  async propose(): Promise<void> {
    const box = byId('po-proposals');
    replaceChildren(box, el('p', { role: 'status' }, t('po.proposing')));
    try {
      const res = await this.session.request<Proposals>('POST', '/purchase-orders/proposals');
      const accept = el('button', { type: 'button', class: 'primary' }, t('po.accept'));
      accept.addEventListener('click', () => void this.accept(accept));
      replaceChildren(
        box,
        el('h3', { id: 'po-proposals-title', tabindex: -1 }, t('po.proposalsTitle')),
        res.proposals.length === 0 ? el('p', {}, t('po.noProposals')) : null,
        ...res.proposals.map((p) =>
          el(
            'section',
            { class: 'proposal', 'aria-label': p.supplierName },
            el('h4', {}, p.supplierName),
            el(
              'ul',
              {},
              ...p.lines.map((l) =>
                el('li', {}, t('po.proposalLine', { sku: l.sku, name: l.name, quantity: formatNumber(l.quantity), incoming: formatNumber(l.incoming) })),
              ),
            ),
          ),
        ),
        res.withoutSupplier.length > 0
          ? el('p', { class: 'muted' }, t('po.withoutSupplier', { skus: res.withoutSupplier.map((l) => l.sku).join(', ') }))
          : null,
        res.proposals.length > 0 ? accept : null,
      );
      byId('po-proposals-title').focus();
    } catch (err) {
      replaceChildren(box, el('p', { class: 'error', role: 'alert' }, (err as Error).message));
    }
  }

  private async accept(button: HTMLButtonElement): Promise<void> {
    await busy(button.parentElement ?? button, async () => {
      try {
        const res = await this.session.request<Accepted>('POST', '/purchase-orders/proposals/accept', {}, { 'idempotency-key': newIdempotencyKey() });
        const message = t('po.accepted', { numbers: res.purchaseOrders.map((o) => o.number).join(', ') });
        replaceChildren(byId('po-proposals'), el('p', { class: 'result', role: 'status' }, message));
        announce(message);
        await this.load();
        const first = res.purchaseOrders[0];
        if (first) await this.openOrder(first.id);
      } catch (err) {
        replaceChildren(byId('po-proposals'), el('p', { class: 'error', role: 'alert' }, (err as Error).message));
      }
    });
  }

  /** The receiving view of the open order: its lines still expected, with their products' barcodes. */
  private async startReceiving(): Promise<void> {
    const order = this.open!;
    const products = await Promise.all(order.lines.map((l) => this.session.request<Product>('GET', `/products/${l.productId}`).catch(() => undefined)));
    const barcodes = new Map(products.filter((p) => p !== undefined).map((p) => [p.id, p.barcode]));
    this.receiving = {
      order,
      key: newIdempotencyKey(),
      lines: order.lines.map((l) => ({
        productId: l.productId,
        sku: l.sku,
        name: l.name,
        barcode: barcodes.get(l.productId) ?? null,
        expected: Math.max(0, l.quantity - l.receivedQuantity),
        counted: 0,
      })),
    };
    this.renderReceiving();
    byId('rcv-scan').focus();
  }

  private renderReceiving(): void {
    const r = this.receiving!;
    const input = el('input', {
      id: 'rcv-scan',
      name: 'code',
      type: 'text',
      inputmode: 'numeric',
      autocomplete: 'off',
      maxlength: 64,
      'aria-describedby': 'rcv-scan-help',
    });
    const scanForm = el(
      'form',
      { class: 'pack-scan', role: 'search', 'aria-label': t('rcv.scan') },
      el('label', { for: 'rcv-scan' }, t('rcv.scan')),
      el('div', { class: 'pack-scan-row' }, input, el('button', { type: 'submit' }, t('rcv.scanSubmit'))),
      el('p', { id: 'rcv-scan-help', class: 'help' }, t('rcv.scanHelp')),
    );
    scanForm.addEventListener('submit', (e) => {
      e.preventDefault();
      const code = input.value;
      input.value = '';
      input.focus();
      if (code.trim()) this.scan(code);
    });
    const save = el('button', { type: 'button', class: 'primary' }, t('rcv.save'));
    save.addEventListener('click', () => void this.saveReceipt(save));
    replaceChildren(
      byId('po-detail'),
      el(
        'section',
        { 'aria-labelledby': 'rcv-title', class: 'receiving' },
        el('h3', { id: 'rcv-title', tabindex: -1 }, t('rcv.title', { number: r.order.number })),
        scanForm,
        el('div', { id: 'rcv-alert', class: 'pack-alert', role: 'alert' }),
        el('p', { id: 'rcv-said', role: 'status' }),
        receivingTable(r.lines),
        el('div', { class: 'buttons' }, save, el('button', { type: 'button', onclick: () => void this.openOrder(r.order.id) }, t('rcv.back'))),
        el('p', { id: 'rcv-error', class: 'error', role: 'alert' }),
      ),
    );
  }

  /** One scan, one unit of the product whose barcode it is; a code of no line, or past what is expected, counts nothing. */
  private scan(code: string): void {
    const r = this.receiving!;
    const line = r.lines.find((l) => l.barcode !== null && gtin(l.barcode) === gtin(code));
    const alert = byId('rcv-alert');
    if (!line) {
      alert.textContent = t('rcv.unknown', { code });
      return;
    }
    if (line.counted >= line.expected) {
      alert.textContent = t('rcv.tooMany', { code, sku: line.sku, expected: formatNumber(line.expected) });
      return;
    }
    line.counted += 1;
    alert.textContent = '';
    byId('rcv-said').textContent = t('rcv.countedUnit', { sku: line.sku, counted: formatNumber(line.counted), expected: formatNumber(line.expected) });
    const cell = document.querySelector(`#rcv-lines tr[data-sku="${CSS.escape(line.sku)}"] [data-testid="counted"]`);
    if (cell) cell.textContent = formatNumber(line.counted);
  }

  private async saveReceipt(button: HTMLButtonElement): Promise<void> {
    const r = this.receiving!;
    const lines = r.lines.filter((l) => l.counted > 0).map((l) => ({ productId: l.productId, quantity: l.counted }));
    const error = byId('rcv-error');
    if (lines.length === 0) {
      error.textContent = t('rcv.nothing');
      return;
    }
    await busy(button.parentElement ?? button, async () => {
      try {
        const res = await this.session.request<GoodsReceipt>('POST', `/purchase-orders/${r.order.id}/receipts`, { lines }, { 'idempotency-key': r.key });
        this.receiving = undefined;
        this.open = res.purchaseOrder;
        const message = t('rcv.saved', { number: res.purchaseOrder.number, status: poStatus(res.purchaseOrder.status).toLowerCase() });
        this.renderDetail(message);
        announce(message);
        void this.load();
      } catch (err) {
        if (err instanceof ApiError && err.status >= 400 && err.status < 500) r.key = newIdempotencyKey();
        error.textContent = (err as Error).message;
      }
    });
  }
}
