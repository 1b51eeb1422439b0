import type { components } from '../../../generated/openapi';
import { el, labelled } from './dom';
import { t, type MessageKey } from './i18n';

type ManualShipment = components['schemas']['CreateManualShipmentRequest'];
type EasyPostShipment = components['schemas']['CreateEasyPostShipmentRequest'];
/** A createShipment body without its lines: how the parcel travels. */
export type CarrierBody = Omit<ManualShipment, 'lines'> | Omit<EasyPostShipment, 'lines'>;
export type CarrierRead = { ok: true; body: CarrierBody } | { ok: false; control: HTMLElement; message: string };

/**
 * The carrier part of a shipment form, shared by the order's "ship" step and the packing view:
 * `manual` (carrier name and tracking code typed by staff) or `easypost` (a parcel whose label is
 * bought). The other carrier's fields sit in a disabled fieldset, so the browser neither validates
 * nor sends them.
 */
export class CarrierFields {
  readonly element: HTMLElement;
  private readonly kind: HTMLSelectElement;
  private readonly manual: HTMLFieldSetElement;
  private readonly easypost: HTMLFieldSetElement;

  constructor(private readonly prefix: string) {
    this.kind = el(
      'select',
      { id: `${prefix}-carrier`, name: 'carrier' },
      el('option', { value: 'manual' }, t('carrier.manual')),
      el('option', { value: 'easypost' }, t('carrier.easypost')),
    );
    this.manual = el(
      'fieldset',
      { class: 'carrier-fields' },
      el('legend', { class: 'visually-hidden' }, t('carrier.manual')),
      this.input('carrierName', 'step.carrier', { required: true, maxlength: 100, placeholder: t('step.carrierPlaceholder') }),
      this.input('trackingCode', 'step.tracking', { required: true, maxlength: 100 }),
      this.input('trackingUrl', 'step.trackingUrl', { type: 'url', maxlength: 2000 }),
    );
    this.easypost = el(
      'fieldset',
      { class: 'carrier-fields', hidden: true, disabled: true },
      el('legend', { class: 'visually-hidden' }, t('carrier.easypost')),
      this.input('weightGrams', 'carrier.weight', { type: 'number', min: 1, max: 70000, step: 1, required: true, inputmode: 'numeric' }),
      this.input('lengthCm', 'carrier.length', { type: 'number', min: 0, max: 300, step: 'any', inputmode: 'decimal' }),
      this.input('widthCm', 'carrier.width', { type: 'number', min: 0, max: 300, step: 'any', inputmode: 'decimal' }),
      this.input('heightCm', 'carrier.height', { type: 'number', min: 0, max: 300, step: 'any', inputmode: 'decimal' }),
      this.input('service', 'carrier.service', { maxlength: 100 }),
    );
    this.kind.addEventListener('change', () => this.show());
    this.element = el('div', { class: 'carrier' }, labelled(t('carrier.kind'), this.kind), this.manual, this.easypost);
  }

  private input(name: string, label: MessageKey, attrs: Record<string, string | number | boolean>): HTMLElement {
    return labelled(t(label), el('input', { id: `${this.prefix}-${name}`, name, type: 'text', autocomplete: 'off', ...attrs }));
  }

  private show(): void {
    const easypost = this.kind.value === 'easypost';
    this.manual.hidden = this.manual.disabled = easypost;
    this.easypost.hidden = this.easypost.disabled = !easypost;
  }

  private control(name: string): HTMLInputElement {
    return this.element.querySelector<HTMLInputElement>(`#${this.prefix}-${name}`)!;
  }

  private value(name: string): string {
    return this.control(name).value.trim();
  }

  /** After a shipment: the next parcel has its own tracking code (the carrier and parcel stay as typed). */
  clearTracking(): void {
    this.control('trackingCode').value = '';
    this.control('trackingUrl').value = '';
  }

  /** The carrier part of the request, or the first field that cannot be sent and why (said before any request). */
  read(): CarrierRead {
    const missing = (name: string, label: MessageKey): CarrierRead => ({
      ok: false,
      control: this.control(name),
      message: t('carrier.required', { field: t(label) }),
    });
    if (this.kind.value !== 'easypost') {
      if (!this.value('carrierName')) return missing('carrierName', 'step.carrier');
      if (!this.value('trackingCode')) return missing('trackingCode', 'step.tracking');
      const trackingUrl = this.value('trackingUrl');
      return {
        ok: true,
        body: { carrier: 'manual', carrierName: this.value('carrierName'), trackingCode: this.value('trackingCode'), ...(trackingUrl ? { trackingUrl } : {}) },
      };
    }
    const weight = Number(this.value('weightGrams'));
    if (!this.value('weightGrams') || !Number.isInteger(weight) || weight < 1 || weight > 70000) {
      return { ok: false, control: this.control('weightGrams'), message: t('carrier.badWeight') };
    }
    const parcel: EasyPostShipment['parcel'] = { weightGrams: weight };
    const sizes = [
      ['lengthCm', 'carrier.length'],
      ['widthCm', 'carrier.width'],
      ['heightCm', 'carrier.height'],
    ] as const;
    for (const [name, label] of sizes) {
      const text = this.value(name);
      if (!text) continue;
      const size = Number(text);
      if (!Number.isFinite(size) || size <= 0 || size > 300)
        return { ok: false, control: this.control(name), message: t('carrier.badSize', { field: t(label) }) };
      parcel[name] = size;
    }
    const service = this.value('service');
    return { ok: true, body: { carrier: 'easypost', parcel, ...(service ? { service } : {}) } };
  }
}
