import type { components } from '../../../generated/openapi';
import { en } from './i18n/en';
import { it, type MessageKey } from './i18n/it';

export type { MessageKey };
export type Lang = 'it' | 'en';
type OrderStatus = components['schemas']['OrderStatus'];

const DICTIONARIES: Record<Lang, Record<MessageKey, string>> = { it, en };
const STORAGE_KEY = 'quickstock.console.lang';

/** The browser's localStorage, typed here so this module stays free of the DOM (unit tests import it in Node). */
interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}
const storage = (): KeyValueStore | undefined => (globalThis as { localStorage?: KeyValueStore }).localStorage;

function stored(): Lang {
  try {
    return storage()?.getItem(STORAGE_KEY) === 'en' ? 'en' : 'it';
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

/** Switches language, remembers it for this browser, and lets the page and the views re-render. */
export function setLang(next: Lang): void {
  current = next;
  try {
    storage()?.setItem(STORAGE_KEY, next);
  } catch {
    // Storage blocked: the switch still holds until the page is reloaded.
  }
  for (const listener of listeners) listener();
}

export function onLangChange(listener: () => void): void {
  listeners.push(listener);
}
