import { isMessageKey, lang, t } from './i18n';

/**
 * Fills the page's fixed text: `data-i18n="key"` sets an element's text, `data-i18n-attr="attr:key;…"`
 * its attributes; `lang` on <html> follows, so screen readers pronounce the right language.
 */
export function translatePage(root: ParentNode = document): void {
  document.documentElement.lang = lang();
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
