import type { components } from '../../../generated/openapi';
import { announce, busy, byId, el, field, labelled, replaceChildren } from './dom';
import { formatCents } from './format';
import { t, type MessageKey } from './i18n';
import { centsToInput, parseEuroCents } from './price';
import { ApiError, type Session } from './session';

type Product = components['schemas']['Product'];
type CreateProduct = components['schemas']['CreateProductRequest'];
type UpdateProduct = components['schemas']['UpdateProductRequest'];
type VatRate = components['schemas']['VatRate'];
/** The details a form edits (stock figures move only through stock movements and orders). */
type Details = Required<Pick<UpdateProduct, 'name' | 'description' | 'category' | 'barcode' | 'unitPriceCents' | 'vatRate' | 'reorderLevel'>>;

const VAT_RATES: readonly VatRate[] = [22, 10, 5, 4, 0];
const DETAILS: readonly (keyof Details)[] = ['name', 'description', 'category', 'barcode', 'unitPriceCents', 'vatRate', 'reorderLevel'];
const LABELS: Record<keyof Details, MessageKey> = {
  name: 'productForm.name',
  description: 'productForm.description',
  category: 'productForm.category',
  barcode: 'productForm.barcode',
  unitPriceCents: 'productForm.price',
  vatRate: 'productForm.vatRate',
  reorderLevel: 'productForm.reorderLevel',
};

function shown(key: keyof Details, value: Details[keyof Details]): string {
  if (value === null || value === '') return '—';
  if (key === 'unitPriceCents') return formatCents(value as number);
  if (key === 'vatRate') return `${value}%`;
  return String(value);
}

/**
 * The product dialog: create, edit with `If-Match` (a 412 shows the current values beside the
 * user's and lets them re-apply their changes on top), archive and restore (`active`).
 */
export class ProductForm {
  private readonly dialog = byId<HTMLDialogElement>('product-dialog');
  private readonly body = byId('product-dialog-body');
  private product: Product | undefined;
  private etag: string | null = null;

  constructor(
    private readonly session: Session,
    private readonly onSaved: (product: Product) => void,
  ) {
    byId('product-dialog-close').addEventListener('click', () => this.dialog.close());
    this.dialog.addEventListener('close', () => replaceChildren(this.body));
  }

  openNew(): void {
    this.product = undefined;
    this.etag = null;
    this.render();
    this.dialog.showModal();
    byId('pf-sku').focus();
  }

  async openEdit(id: string): Promise<void> {
    let read: { body: Product; etag: string | null };
    try {
      read = await this.session.exchange<Product>('GET', `/products/${id}`);
    } catch (err) {
      byId('products-result').textContent = t('productForm.loadFailed', { message: (err as Error).message });
      return;
    }
    const { body, etag } = read;
    this.product = body;
    this.etag = etag;
    this.render();
    if (!this.dialog.open) this.dialog.showModal();
    byId('pf-name').focus();
  }

  private render(values: Partial<Details> = this.product ?? {}): void {
    const p = this.product;
    byId('product-dialog-title').textContent = p ? t('productForm.editTitle', { sku: p.sku }) : t('productForm.createTitle');
    const text = (id: string, value: string | null | undefined, attrs: Record<string, string | number | boolean> = {}) =>
      el('input', { id: `pf-${id}`, name: id, type: 'text', autocomplete: 'off', value: value ?? '', ...attrs });
    const whole = (id: string, value: number | undefined) =>
      el('input', { id: `pf-${id}`, name: id, type: 'number', min: 0, step: 1, required: true, value: value ?? 0 });
    const vat = el(
      'select',
      { id: 'pf-vatRate', name: 'vatRate' },
      ...VAT_RATES.map((r) => el('option', { value: r, selected: r === (values.vatRate ?? 22) }, `${r}%`)),
    );
    const description = el('textarea', { id: 'pf-description', name: 'description', rows: 3, maxlength: 5000 }, values.description ?? '');
    const form = el(
      'form',
      { id: 'product-form', class: 'product-form', novalidate: true },
      p
        ? el('p', { class: 'muted' }, `SKU ${p.sku}`, p.active ? '' : ` · ${t('productForm.archivedNote')}`)
        : labelled(t('productForm.sku'), text('sku', '', { required: true, maxlength: 64 }), t('productForm.skuHelp')),
      labelled(t('productForm.name'), text('name', values.name, { required: true, maxlength: 200 })),
      labelled(t('productForm.description'), description),
      labelled(t('productForm.category'), text('category', values.category, { maxlength: 100, list: 'category-options' })),
      labelled(
        t('productForm.barcode'),
        text('barcode', values.barcode, { maxlength: 64, inputmode: 'numeric', autocapitalize: 'off', spellcheck: 'false' }),
        t('productForm.barcodeHelp'),
      ),
      el(
        'div',
        { class: 'field-row' },
        labelled(
          t('productForm.price'),
          text('price', values.unitPriceCents === undefined ? '' : centsToInput(values.unitPriceCents), { required: true, inputmode: 'decimal' }),
          t('productForm.priceHelp'),
        ),
        labelled(t('productForm.vatRate'), vat),
        labelled(t('productForm.reorderLevel'), whole('reorderLevel', values.reorderLevel)),
        p ? null : labelled(t('productForm.initialStock'), whole('initialStock', 0)),
      ),
      el('p', { class: 'error', role: 'alert', id: 'product-error' }),
      el('div', { id: 'product-conflict' }),
      el(
        'div',
        { class: 'buttons' },
        el('button', { type: 'submit', class: 'primary' }, p ? t('productForm.save') : t('productForm.create')),
        p
          ? el(
              'button',
              { type: 'button', class: p.active ? 'danger' : '', onclick: () => void this.setActive(form, !p.active) },
              p.active ? t('productForm.archive') : t('productForm.restore'),
            )
          : null,
      ),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.save(form);
    });
    replaceChildren(this.body, form);
  }

  /** The form's details, or the first field that cannot be sent and why (said before any request). */
  private read(form: HTMLFormElement): Details | { field: string; message: string } {
    if (!field(form, 'name')) return { field: 'name', message: t('productForm.nameRequired') };
    const price = parseEuroCents(field(form, 'price'));
    if (!price.ok) return { field: 'price', message: t(`price.${price.reason}`) };
    const reorderLevel = Number(field(form, 'reorderLevel'));
    if (!Number.isInteger(reorderLevel) || reorderLevel < 0)
      return { field: 'reorderLevel', message: t('productForm.badWhole', { field: t('productForm.reorderLevel') }) };
    return {
      name: field(form, 'name'),
      description: field(form, 'description') || null,
      category: field(form, 'category') || null,
      barcode: field(form, 'barcode') || null,
      unitPriceCents: price.cents,
      vatRate: Number(field(form, 'vatRate')) as VatRate,
      reorderLevel,
    };
  }

  private async save(form: HTMLFormElement): Promise<void> {
    const error = byId('product-error');
    error.textContent = '';
    for (const invalid of form.querySelectorAll('[aria-invalid]')) invalid.removeAttribute('aria-invalid');
    const details = this.read(form);
    if ('message' in details) {
      error.textContent = details.message;
      const control = byId(`pf-${details.field}`);
      control.setAttribute('aria-invalid', 'true');
      control.setAttribute('aria-errormessage', 'product-error');
      control.focus();
      return;
    }
    await busy(form, async () => {
      try {
        const product = this.product;
        if (!product) {
          const initialStock = Number(field(form, 'initialStock'));
          if (!Number.isInteger(initialStock) || initialStock < 0) throw new Error(t('productForm.badWhole', { field: t('productForm.initialStock') }));
          const { barcode, ...rest } = details;
          const body: CreateProduct = { sku: field(form, 'sku'), ...rest, ...(barcode ? { barcode } : {}), initialStock };
          this.done(await this.session.exchange<Product>('POST', '/products', body), 'productForm.created');
          return;
        }
        const patch: UpdateProduct = Object.fromEntries(DETAILS.filter((k) => details[k] !== product[k]).map((k) => [k, details[k]]));
        if (Object.keys(patch).length === 0) return this.dialog.close();
        await this.patch(patch);
      } catch (err) {
        error.textContent = t('productForm.failed', { message: (err as Error).message });
        if (err instanceof ApiError && refusesBarcode(err)) {
          const barcode = byId('pf-barcode');
          barcode.setAttribute('aria-invalid', 'true');
          barcode.setAttribute('aria-errormessage', 'product-error');
          barcode.focus();
        }
      }
    });
  }

  /** Sends a change with `If-Match`; a stale version shows the conflict instead of failing. */
  private async patch(patch: UpdateProduct): Promise<void> {
    const product = this.product!;
    try {
      this.done(
        await this.session.exchange<Product>('PATCH', `/products/${product.id}`, patch, { 'if-match': this.etag ?? '' }),
        'active' in patch ? (patch.active ? 'productForm.restoredDone' : 'productForm.archivedDone') : 'productForm.saved',
      );
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 412) throw err;
      const current = await this.session.exchange<Product>('GET', `/products/${product.id}`);
      this.showConflict(patch, current.body, current.etag);
    }
  }

  private showConflict(mine: UpdateProduct, current: Product, etag: string | null): void {
    const keys = DETAILS.filter((k) => k in mine);
    replaceChildren(
      byId('product-conflict'),
      el(
        'section',
        { class: 'conflict', 'aria-labelledby': 'conflict-h' },
        el('h3', { id: 'conflict-h' }, t('productForm.conflictTitle')),
        el('p', {}, t('productForm.conflictHelp')),
        el(
          'table',
          {},
          el(
            'thead',
            {},
            el(
              'tr',
              {},
              el('th', { scope: 'col' }, t('productForm.conflictField')),
              el('th', { scope: 'col' }, t('productForm.conflictMine')),
              el('th', { scope: 'col' }, t('productForm.conflictCurrent')),
            ),
          ),
          el(
            'tbody',
            {},
            ...keys.map((k) =>
              el(
                'tr',
                { 'data-field': k },
                el('th', { scope: 'row' }, t(LABELS[k])),
                el('td', { class: 'mine' }, shown(k, mine[k] as Details[typeof k])),
                el('td', { class: 'current' }, shown(k, current[k])),
              ),
            ),
          ),
        ),
        el(
          'div',
          { class: 'buttons' },
          el('button', { type: 'button', class: 'primary', onclick: () => void this.reapply(mine, current, etag) }, t('productForm.reapply')),
          el('button', { type: 'button', onclick: () => this.useCurrent(current, etag) }, t('productForm.useCurrent')),
        ),
      ),
    );
    byId('conflict-h').setAttribute('tabindex', '-1');
    byId('conflict-h').focus();
  }

  private async reapply(mine: UpdateProduct, current: Product, etag: string | null): Promise<void> {
    this.product = current;
    this.etag = etag;
    await busy(byId('product-form'), async () => {
      try {
        await this.patch(mine);
      } catch (err) {
        byId('product-error').textContent = t('productForm.failed', { message: (err as Error).message });
      }
    });
  }

  private useCurrent(current: Product, etag: string | null): void {
    this.product = current;
    this.etag = etag;
    this.render();
    byId('pf-name').focus();
  }

  private async setActive(form: HTMLFormElement, active: boolean): Promise<void> {
    byId('product-error').textContent = '';
    await busy(form, async () => {
      try {
        await this.patch({ active });
      } catch (err) {
        byId('product-error').textContent = t('productForm.failed', { message: (err as Error).message });
      }
    });
  }

  private done(result: { body: Product; etag: string | null }, said: MessageKey): void {
    this.product = result.body;
    this.etag = result.etag;
    this.dialog.close();
    this.onSaved(result.body);
    announce(t(said, { sku: result.body.sku }));
    byId('products-result').textContent = t(said, { sku: result.body.sku });
  }
}

/** Whether the service refused the barcode: a bad one (400 naming `body.barcode`) or one another product has. */
const refusesBarcode = (err: ApiError): boolean => err.problem?.code === 'barcode-taken' || (err.problem?.errors ?? []).some((e) => e.path === 'body.barcode');
