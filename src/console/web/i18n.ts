import type { components } from '../../../generated/openapi';
import { en } from './i18n/en';
import { it, type MessageKey } from './i18n/it';

export type { MessageKey };
export type Lang = 'it' | 'en';
type OrderStatus = components['schemas']['OrderStatus'];

const DICTIONARIES: Record<Lang, Record<MessageKey, string>> = { it, en };
const STORAGE_KEY = 'quickstock.console.lang';

function stored(): Lang {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'it';
  } catch {
    return 'it'; // storage blocked: Italian, the default
  }
}

let current: Lang = stored();
const listeners: (() => void)[] = [];

export const lang = (): Lang => current;

export const isMessageKey = (key: string): key is MessageKey => Object.hasOwn(it, key);

/** The current language's text for `key`, with each `{name}` replaced by `vars.name`. */
export function t(key: MessageKey, vars: Record<string, string | number> = {}): string {
  return DICTIONARIES[current][key].replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

export const statusLabel = (status: OrderStatus): string => t(`status.${status}`);

/**
 * Fills the page's fixed text: `data-i18n="key"` sets an element's text, `data-i18n-attr="attr:key;…"`
 * its attributes; `lang` on <html> follows, so screen readers pronounce the right language.
 */
export function translatePage(root: ParentNode = document): void {
  document.documentElement.lang = current;
  document.title = t('app.title');
  for (const node of root.querySelectorAll<HTMLElement>('[data-i18n]')) {
    const key = node.dataset['i18n'] ?? '';
    if (isMessageKey(key)) node.textContent = t(key);
  }
  for (const node of root.querySelectorAll<HTMLElement>('[data-i18n-attr]')) {
    for (const pair of (node.dataset['i18nAttr'] ?? '').split(';')) {
      const [attr, key] = pair.split(':');
      if (attr && key && isMessageKey(key)) node.setAttribute(attr, t(key));
    }
  }
}

/** Switches language, remembers it for this browser, refills the page and lets the views re-render. */
export function setLang(next: Lang): void {
  current = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // Storage blocked: the switch still holds until the page is reloaded.
  }
  translatePage();
  for (const listener of listeners) listener();
}

export function onLangChange(listener: () => void): void {
  listeners.push(listener);
}
