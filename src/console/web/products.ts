import type { components } from '../../../generated/openapi';
import { announce, busy, byId, el, field, replaceChildren } from './dom';
import { formatDateTime, formatNumber } from './format';
import type { LiveFeed } from './live';
import type { Session } from './session';

type Product = components['schemas']['Product'];
type ProductList = components['schemas']['ProductList'];
type StockMovementList = components['schemas']['StockMovementList'];

const PAGE = 50;

/** Low stock as the service defines it: available at or below the reorder level. */
const isLow = (p: Pick<Product, 'available' | 'reorderLevel'>): boolean => p.available <= p.reorderLevel;

/** The products view: searchable stock list with low-stock marks, a stock movement form and live low-stock alerts. */
export class ProductsView {
  private products: Product[] = [];
  private nextCursor: string | null = null;
  private selected: Product | undefined;
  private searchTimer: ReturnType<typeof setTimeout> | undefined;
  private alertCount = 0;

  constructor(private readonly session: Session) {
    const search = byId<HTMLFormElement>('product-search');
    search.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.load();
    });
    search.addEventListener('input', () => {
      clearTimeout(this.searchTimer);
      this.searchTimer = setTimeout(() => void this.load(), 250);
    });
    byId('products-more').addEventListener('click', () => void this.load(true));
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
      const text = `Low stock: ${d.sku}${d.name ? ` ${d.name}` : ''} — ${formatNumber(d.available)} available, reorder level ${formatNumber(d.reorderLevel)}.`;
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
  }

  /** Loads the first page for the current search, or the next page when `more`. */
  async load(more = false): Promise<void> {
    const form = byId<HTMLFormElement>('product-search');
    const params = new URLSearchParams({ limit: String(PAGE), sort: 'sku' });
    const q = field(form, 'q');
    if (q) params.set('q', q);
    if (new FormData(form).get('lowStock')) params.set('lowStock', 'true');
    if (more && this.nextCursor) params.set('cursor', this.nextCursor);
    const status = byId('products-status');
    try {
      const page = await this.session.request<ProductList>('GET', `/products?${params.toString()}`);
      this.products = more ? [...this.products, ...page.items] : page.items;
      this.nextCursor = page.nextCursor;
      status.textContent = this.products.length === 0 ? 'No products match.' : `${this.products.length} product${this.products.length === 1 ? '' : 's'} shown.`;
      this.render();
    } catch (err) {
      status.textContent = `Could not load the products. ${(err as Error).message}`;
    }
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

  private render(): void {
    const focused = (document.activeElement as HTMLElement | null)?.dataset['productId'];
    replaceChildren(
      byId('products-body'),
      ...this.products.map((p) =>
        el(
          'tr',
          { 'data-sku': p.sku, class: isLow(p) ? 'low' : '' },
          el('td', {}, p.sku),
          el('td', {}, p.name, p.active ? '' : el('span', { class: 'muted' }, ' (archived)')),
          el('td', { class: 'num' }, formatNumber(p.onHand)),
          el('td', { class: 'num' }, formatNumber(p.reserved)),
          el('td', { class: 'num', 'data-testid': 'available' }, formatNumber(p.available)),
          el('td', { class: 'num' }, formatNumber(p.reorderLevel)),
          el('td', {}, isLow(p) ? el('span', { class: 'low-mark', 'data-testid': 'low-stock' }, '⚠ Low stock') : el('span', { class: 'muted' }, 'OK')),
          el('td', {}, el('button', { type: 'button', 'data-product-id': p.id, 'aria-label': `Move stock of ${p.sku}`, onclick: () => this.select(p) }, 'Move stock')),
        ),
      ),
    );
    byId('products-more').hidden = !this.nextCursor;
    if (focused) document.querySelector<HTMLElement>(`[data-product-id="${focused}"]`)?.focus();
    this.renderSelected();
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
    byId('movement-title').textContent = `Stock movement — ${p.sku} ${p.name}`;
    byId('movement-figures').textContent = `On hand ${formatNumber(p.onHand)} · reserved ${formatNumber(p.reserved)} · available ${formatNumber(p.available)} · reorder level ${formatNumber(p.reorderLevel)}`;
  }

  private async loadMovements(productId: string): Promise<void> {
    const target = byId('movement-history');
    try {
      const page = await this.session.request<StockMovementList>('GET', `/products/${productId}/stock-movements?limit=10`);
      if (this.selected?.id !== productId) return;
      replaceChildren(
        target,
        ...page.items.map((m) =>
          el('li', {}, el('time', { datetime: m.createdAt }, formatDateTime(m.createdAt)), ` ${m.type} ${m.delta > 0 ? '+' : ''}${formatNumber(m.delta)} → ${formatNumber(m.onHandAfter)} on hand${m.reason ? ` — ${m.reason}` : ''}`),
        ),
      );
    } catch (err) {
      replaceChildren(target, el('li', {}, `Could not load the movements. ${(err as Error).message}`));
    }
  }

  private async recordMovement(form: HTMLFormElement): Promise<void> {
    const product = this.selected;
    if (!product) return;
    const error = byId('movement-error');
    error.textContent = '';
    const delta = Number(field(form, 'delta'));
    if (!Number.isInteger(delta) || delta === 0) {
      error.textContent = 'The quantity must be a whole number other than zero (negative to remove stock).';
      return;
    }
    await busy(form, async () => {
      try {
        await this.session.request('POST', `/products/${product.id}/stock-movements`, { type: field(form, 'type'), delta, reason: field(form, 'reason') });
        await this.reread(product.id);
        const now = this.selected ?? product;
        announce(`Recorded. ${now.sku}: ${formatNumber(now.onHand)} on hand, ${formatNumber(now.available)} available.`);
        byId('movement-result').textContent = `Recorded: ${now.sku} now has ${formatNumber(now.onHand)} on hand, ${formatNumber(now.available)} available.`;
        form.reset();
        await this.loadMovements(product.id);
      } catch (err) {
        error.textContent = `The movement was not recorded. ${(err as Error).message}`;
      }
    });
  }
}
