import type { components } from '../../../generated/openapi';
import { announce, busy, byId, el, field, replaceChildren, wireSearch } from './dom';
import { formatCents, formatDateTime, formatNumber } from './format';
import { t } from './i18n';
import type { LiveFeed } from './live';
import { ProductForm } from './product-form';
import { ProductImportDialog, downloadExport } from './product-import';
import { reasonText } from './reason-text';
import { queryString, type Session } from './session';

type Product = components['schemas']['Product'];
type ProductList = components['schemas']['ProductList'];
type StockMovementList = components['schemas']['StockMovementList'];

const PAGE = 50;
/** What a barcode scanner types: the service looks up 8–14 digits by barcode (`GET /products?barcode=`). */
const BARCODE_LIKE = /^\d{8,14}$/;
/** How long a live figure that just changed stays tinted. */
const CHANGED_MS = 2000;

/** Low stock as the service defines it: available at or below the reorder level. */
const isLow = (p: Pick<Product, 'available' | 'reorderLevel'>): boolean => p.available <= p.reorderLevel;
const stockMark = (p: Product): HTMLElement =>
  isLow(p) ? el('span', { class: 'low-mark', 'data-testid': 'low-stock' }, t('products.low')) : el('span', { class: 'muted' }, t('products.ok'));

/**
 * The products view: the catalog filtered by text, category, low stock and archived, with stock
 * figures and low-stock marks; the product dialog (create, edit, archive), a stock movement form and
 * live low-stock alerts.
 */
export class ProductsView {
  private products: Product[] = [];
  private nextCursor: string | null = null;
  private selected: Product | undefined;
  private alertCount = 0;
  private readonly categories = new Set<string>();
  private readonly form: ProductForm;
  /** Whether the list shown is the answer to a barcode lookup (so "more" pages the same list). */
  private byBarcode = false;

  constructor(private readonly session: Session) {
    this.form = new ProductForm(session, () => void this.load());
    byId('product-new').addEventListener('click', () => this.form.openNew());
    new ProductImportDialog(session, () => void this.load());
    byId('product-export').addEventListener('click', () => void this.export());
    wireSearch(byId<HTMLFormElement>('product-search'), byId('products-more'), (more) => void this.load(more));
    const movement = byId<HTMLFormElement>('movement-form');
    movement.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.recordMovement(movement);
    });
    byId('movement-close').addEventListener('click', () => this.select(undefined));
  }

  subscribe(live: LiveFeed): void {
    live.on('inventory.low_stock', (event) => {
      const d = event.data;
      const text = t('products.alert', {
        sku: d.sku,
        name: d.name ? ` ${d.name}` : '',
        available: formatNumber(d.available),
        reorder: formatNumber(d.reorderLevel),
      });
      const alerts = byId('stock-alerts');
      alerts.prepend(el('li', {}, el('time', { datetime: event.occurredAt }, formatDateTime(event.occurredAt)), ' ', text));
      while (alerts.children.length > 20) alerts.lastElementChild?.remove();
      this.alertCount += 1;
      byId('alerts-count').textContent = String(this.alertCount);
      byId('alerts-badge').hidden = false;
      announce(text);
      const known = this.products.find((p) => p.id === d.productId);
      if (known) void this.reread(known.id);
    });
    live.on('inventory.stock_changed', (event) => this.applyFigures(event.data));
    // A CSV import changed many products at once: read the list again.
    live.on('catalog.imported', () => void this.load());
  }

  /**
   * Live figures of a listed product, written into its row in place: no re-render, so focus and
   * selection stay where the user left them. Not announced (a busy warehouse would make a screen
   * reader talk without pause); low-stock crossings are announced by their own alert.
   */
  private applyFigures(d: Pick<Product, 'onHand' | 'reserved' | 'available'> & { productId: string }): void {
    const known = this.products.find((p) => p.id === d.productId);
    if (!known) return;
    const updated: Product = { ...known, onHand: d.onHand, reserved: d.reserved, available: d.available };
    this.products = this.products.map((p) => (p.id === d.productId ? updated : p));
    if (this.selected?.id === d.productId) {
      this.selected = updated;
      this.renderSelected();
    }
    const row = byId('products-body').querySelector<HTMLTableRowElement>(`tr[data-product-row="${d.productId}"]`);
    if (!row) return;
    for (const [cell, value] of [
      ['on-hand', d.onHand],
      ['reserved', d.reserved],
      ['available', d.available],
    ] as const) {
      const td = row.querySelector<HTMLElement>(`[data-testid="${cell}"]`);
      if (td && td.textContent !== formatNumber(value)) {
        td.textContent = formatNumber(value);
        td.classList.add('changed');
        setTimeout(() => td.classList.remove('changed'), CHANGED_MS);
      }
    }
    row.className = isLow(updated) ? 'low' : '';
    const mark = row.querySelector('[data-testid="stock-mark"]');
    if (mark) replaceChildren(mark as HTMLElement, stockMark(updated));
  }

  /**
   * Loads the first page for the current search, or the next page when `more`. Text of 8–14 digits
   * (a scan into the search box) is looked up as a barcode first; when no product has it, as text
   * (a numeric SKU).
   */
  /** "Esporta": the products the filters select (all pages), as the Italian Excel CSV. */
  private async export(): Promise<void> {
    const form = byId<HTMLFormElement>('product-search');
    const params = new URLSearchParams();
    const q = field(form, 'q');
    const category = field(form, 'category');
    const active = field(form, 'active');
    if (q) params.set('q', q);
    if (category) params.set('category', category);
    if (active) params.set('archived', active === 'true' ? 'false' : 'true');
    if (new FormData(form).get('lowStock')) params.set('lowStock', 'true');
    const result = byId('products-result');
    result.textContent = t('catalog.exporting');
    try {
      result.textContent = t('catalog.exported', { file: await downloadExport(this.session, queryString(params)) });
    } catch (err) {
      result.textContent = t('catalog.exportFailed', { message: (err as Error).message });
    }
  }

  async load(more = false): Promise<void> {
    const q = field(byId<HTMLFormElement>('product-search'), 'q');
    if (!more) this.byBarcode = BARCODE_LIKE.test(q);
    const status = byId('products-status');
    try {
      let page = await this.session.request<ProductList>('GET', `/products?${this.query(q, more)}`);
      if (this.byBarcode && !more && page.items.length === 0) {
        this.byBarcode = false;
        page = await this.session.request<ProductList>('GET', `/products?${this.query(q, more)}`);
      }
      this.products = more ? [...this.products, ...page.items] : page.items;
      this.nextCursor = page.nextCursor;
      this.rememberCategories(page.items);
      status.textContent =
        this.products.length === 0
          ? t('products.none')
          : this.products.length === 1
            ? t('products.count.one')
            : t('products.count.many', { n: this.products.length });
      this.render();
    } catch (err) {
      status.textContent = t('products.loadFailed', { message: (err as Error).message });
    }
  }

  /** The list's query string for the search form (and the next page's cursor when `more`). */
  private query(q: string, more: boolean): string {
    const form = byId<HTMLFormElement>('product-search');
    const params = new URLSearchParams({ limit: String(PAGE) });
    // A search comes back ranked by relevance (exact SKU first); a browse by SKU.
    if (q && this.byBarcode) params.set('barcode', q);
    else if (q) params.set('q', q);
    else params.set('sort', 'sku');
    const category = field(form, 'category');
    if (category) params.set('category', category);
    if (new FormData(form).get('lowStock')) params.set('lowStock', 'true');
    const active = field(form, 'active');
    if (active) params.set('active', active);
    if (more && this.nextCursor) params.set('cursor', this.nextCursor);
    return queryString(params);
  }

  clear(): void {
    this.products = [];
    this.select(undefined);
    this.alertCount = 0;
    byId('alerts-badge').hidden = true;
    replaceChildren(byId('stock-alerts'));
    replaceChildren(byId('products-body'));
  }

  private async reread(id: string): Promise<void> {
    const product = await this.session.request<Product>('GET', `/products/${id}`);
    this.products = this.products.map((p) => (p.id === id ? product : p));
    if (this.selected?.id === id) this.selected = product;
    this.render();
  }

  /** Draws the list again (after a language switch). */
  rerender(): void {
    this.render();
  }

  private render(): void {
    const focused = (document.activeElement as HTMLElement | null)?.dataset['productId'];
    replaceChildren(
      byId('products-body'),
      ...this.products.map((p) =>
        el(
          'tr',
          { 'data-sku': p.sku, 'data-product-row': p.id, class: isLow(p) ? 'low' : '' },
          el('td', {}, p.sku),
          el('td', {}, p.name, p.active ? '' : el('span', { class: 'muted', 'data-testid': 'archived' }, t('products.archivedMark'))),
          el('td', {}, p.category ?? ''),
          el('td', { class: 'barcode', 'data-testid': 'barcode' }, p.barcode ?? ''),
          el('td', { class: 'num', 'data-testid': 'price' }, formatCents(p.unitPriceCents)),
          el('td', { class: 'num', 'data-testid': 'on-hand' }, formatNumber(p.onHand)),
          el('td', { class: 'num', 'data-testid': 'reserved' }, formatNumber(p.reserved)),
          el('td', { class: 'num', 'data-testid': 'available' }, formatNumber(p.available)),
          el('td', { class: 'num' }, formatNumber(p.reorderLevel)),
          el('td', { 'data-testid': 'stock-mark' }, stockMark(p)),
          el(
            'td',
            { class: 'row-actions' },
            el(
              'button',
              { type: 'button', 'data-product-id': p.id, 'aria-label': t('products.moveLabel', { sku: p.sku }), onclick: () => this.select(p) },
              t('products.move'),
            ),
            el(
              'button',
              { type: 'button', 'aria-label': t('products.editLabel', { sku: p.sku }), onclick: () => void this.form.openEdit(p.id) },
              t('products.edit'),
            ),
          ),
        ),
      ),
    );
    byId('products-more').hidden = !this.nextCursor;
    if (focused) document.querySelector<HTMLElement>(`[data-product-id="${focused}"]`)?.focus();
    this.renderSelected();
  }

  /** Categories seen so far, offered as suggestions in the filter and the product form. */
  private rememberCategories(products: Product[]): void {
    const before = this.categories.size;
    for (const p of products) if (p.category) this.categories.add(p.category);
    if (this.categories.size === before) return;
    replaceChildren(byId('category-options'), ...[...this.categories].sort((a, b) => a.localeCompare(b, 'it')).map((c) => el('option', { value: c })));
  }

  private select(product: Product | undefined): void {
    this.selected = product;
    this.renderSelected();
    if (product) {
      byId<HTMLFormElement>('movement-form').reset();
      byId('movement-error').textContent = '';
      byId('movement-type').focus();
      void this.loadMovements(product.id);
    }
  }

  private renderSelected(): void {
    const panel = byId('movement-panel');
    panel.hidden = !this.selected;
    const p = this.selected;
    if (!p) return;
    byId('movement-title').textContent = t('movement.titleFor', { sku: p.sku, name: p.name });
    byId('movement-figures').textContent = t('movement.figures', {
      onHand: formatNumber(p.onHand),
      reserved: formatNumber(p.reserved),
      available: formatNumber(p.available),
      reorder: formatNumber(p.reorderLevel),
    });
  }

  private async loadMovements(productId: string): Promise<void> {
    const target = byId('movement-history');
    try {
      const page = await this.session.request<StockMovementList>('GET', `/products/${productId}/stock-movements?limit=10`);
      if (this.selected?.id !== productId) return;
      replaceChildren(
        target,
        ...page.items.map((m) =>
          el(
            'li',
            {},
            el('time', { datetime: m.createdAt }, formatDateTime(m.createdAt)),
            t('movement.line', {
              type: t(`movement.type.${m.type}`),
              delta: `${m.delta > 0 ? '+' : ''}${formatNumber(m.delta)}`,
              onHand: formatNumber(m.onHandAfter),
            }),
            m.reason ? ` — ${reasonText(m.reason)}` : '',
          ),
        ),
      );
    } catch (err) {
      replaceChildren(target, el('li', {}, t('movement.loadFailed', { message: (err as Error).message })));
    }
  }

  private async recordMovement(form: HTMLFormElement): Promise<void> {
    const product = this.selected;
    if (!product) return;
    const error = byId('movement-error');
    error.textContent = '';
    const delta = Number(field(form, 'delta'));
    if (!Number.isInteger(delta) || delta === 0) {
      error.textContent = t('movement.badDelta');
      return;
    }
    await busy(form, async () => {
      try {
        await this.session.request('POST', `/products/${product.id}/stock-movements`, { type: field(form, 'type'), delta, reason: field(form, 'reason') });
        await this.reread(product.id);
        const now = this.selected ?? product;
        const recorded = t('movement.recorded', { sku: now.sku, onHand: formatNumber(now.onHand), available: formatNumber(now.available) });
        announce(recorded);
        byId('movement-result').textContent = recorded;
        form.reset();
        await this.loadMovements(product.id);
      } catch (err) {
        error.textContent = t('movement.failed', { message: (err as Error).message });
      }
    });
  }
}
