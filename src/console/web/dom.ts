/** A tiny DOM builder: text goes in as text nodes, never as HTML, so server data cannot inject markup. */
export type Child = Node | string | number | null | undefined | false;
export type Attrs = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (typeof value === 'function') node.addEventListener(name.slice(2).toLowerCase(), value);
    else if (value === true) node.setAttribute(name, '');
    else if (value !== false && value !== null && value !== undefined) node.setAttribute(name, String(value));
  }
  append(node, ...children);
  return node;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`#${id} is missing from the page`);
  return node as T;
}

export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/** A labelled control in a `.field` box, with an optional help line the control is described by. */
export function labelled(label: string, control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, help?: string): HTMLElement {
  const helpId = help ? `${control.id}-help` : undefined;
  if (helpId) control.setAttribute('aria-describedby', helpId);
  return el('div', { class: 'field' }, el('label', { for: control.id }, label), control, help ? el('p', { class: 'help', id: helpId }, help) : null);
}

/**
 * Wires a search form and its "more" button to a list's loader: submit loads at once, typing loads
 * after a short pause (one request per pause, not per key), "more" loads the next page.
 */
export function wireSearch(form: HTMLFormElement, moreButton: HTMLElement, load: (more: boolean) => void): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clearTimeout(timer);
    load(false);
  });
  form.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => load(false), 250);
  });
  moreButton.addEventListener('click', () => load(true));
}

/** Reads a named control of a form as trimmed text ('' when empty or missing). */
export function field(form: HTMLFormElement, name: string): string {
  const value = new FormData(form).get(name);
  return typeof value === 'string' ? value.trim() : '';
}

/** Tells screen-reader users about something that happened without their doing (live updates). */
export function announce(message: string): void {
  const region = byId('live-region');
  region.textContent = '';
  // A fresh text node in a later frame makes repeated messages be read again.
  requestAnimationFrame(() => {
    region.textContent = message;
  });
}

/**
 * Disables a form's buttons while its request runs, so a double click sends one request. (Only
 * buttons: disabled inputs would drop out of the form's data.)
 */
export async function busy<T>(form: HTMLFormElement | HTMLElement, work: () => Promise<T>): Promise<T> {
  const controls = [...form.querySelectorAll<HTMLButtonElement>('button')];
  const wasDisabled = controls.map((c) => c.disabled);
  controls.forEach((c) => (c.disabled = true));
  form.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } finally {
    controls.forEach((c, i) => (c.disabled = wasDisabled[i] ?? false));
    form.removeAttribute('aria-busy');
  }
}
