import type { components } from '../../../generated/openapi';
import { announce, busy, byId, el, replaceChildren } from './dom';
import { formatDateTime, newIdempotencyKey } from './format';
import { t, type MessageKey } from './i18n';
import { queryString, type Session } from './session';

type EmailMessage = components['schemas']['EmailMessage'];
type EmailMessageList = components['schemas']['EmailMessageList'];

const PAGE = 50;

/** The mail's kind in words: "Conferma ordine", "Spedizione"… */
export const templateLabel = (m: EmailMessage): string => t(`emails.template.${m.template}`);

/** The status in words, with why a skipped mail was not sent. */
function statusText(m: EmailMessage): string {
  const status = t(`emails.status.${m.status}`);
  return m.skipReason ? `${status} (${t(`emails.skip.${m.skipReason}`)})` : status;
}

/** Cells shared by both tables: time, kind (a re-send marked), recipient, status, attempts, last reply. */
function mailCells(m: EmailMessage): HTMLTableCellElement[] {
  return [
    el('td', { class: 'muted' }, el('time', { datetime: m.createdAt }, formatDateTime(m.createdAt))),
    el('td', { 'data-testid': 'email-template' }, templateLabel(m), m.resendOf ? el('span', { class: 'muted' }, ` (${t('emails.resentTag')})`) : ''),
    el('td', { class: 'email-recipient' }, m.recipient),
    el('td', { 'data-testid': 'email-status', class: `email-status email-${m.status}` }, statusText(m)),
    el('td', { class: 'num' }, m.attempts),
    el('td', { class: 'email-reply' }, m.lastReply ?? t('emails.noReply')),
  ];
}

/**
 * Re-sends a mail (a new message linked to it) with a fresh Idempotency-Key: `busy` disables the
 * buttons while the request runs, so a double click sends one. Says what happened in `result` or
 * `error`, and to screen readers.
 */
async function resend(session: Session, m: EmailMessage, area: HTMLElement, result: HTMLElement, error: HTMLElement): Promise<boolean> {
  result.textContent = '';
  error.textContent = '';
  return busy(area, async () => {
    try {
      const copy = await session.request<EmailMessage>('POST', `/email-messages/${m.id}/resend`, undefined, { 'idempotency-key': newIdempotencyKey() });
      const said = t(copy.status === 'skipped' ? 'emails.resentSkipped' : 'emails.resent', { template: templateLabel(m), recipient: m.recipient });
      result.textContent = said;
      announce(said);
      return true;
    } catch (err) {
      error.textContent = t('emails.resendFailed', { message: (err as Error).message });
      return false;
    }
  });
}

function resendButton(m: EmailMessage, onClick: () => void): HTMLElement {
  // A reset link is single-use and short-lived: the user asks for a new one (the server refuses it too).
  if (m.template === 'password_reset') return el('td', {});
  return el(
    'td',
    {},
    el(
      'div',
      { class: 'row-actions' },
      el(
        'button',
        {
          type: 'button',
          'aria-label': t('emails.resendOf', { template: templateLabel(m), recipient: m.recipient, time: formatDateTime(m.createdAt) }),
          onclick: onClick,
        },
        t('emails.resend'),
      ),
    ),
  );
}

function headRow(keys: readonly MessageKey[]): HTMLElement {
  return el('thead', {}, el('tr', {}, ...keys.map((k) => el('th', { scope: 'col', class: k === 'emails.col.attempts' ? 'num' : '' }, t(k)))));
}

/**
 * The mails of one order in its detail dialog: each with its status, attempts and last SMTP reply,
 * and "Reinvia" (the list is read again after it, the new mail first).
 */
export class OrderEmailsPanel {
  readonly element: HTMLElement;
  private readonly body = el('div', {});
  private readonly result = el('p', { class: 'result', role: 'status' });
  private readonly error = el('p', { class: 'error', role: 'alert' });

  constructor(
    private readonly session: Session,
    readonly orderId: string,
  ) {
    this.element = el(
      'section',
      { 'aria-labelledby': 'emails-h', class: 'order-emails' },
      el('h3', { id: 'emails-h' }, t('order.emails')),
      this.error,
      this.result,
      this.body,
    );
  }

  async load(): Promise<void> {
    try {
      const page = await this.session.request<EmailMessageList>('GET', `/orders/${this.orderId}/emails?limit=100`);
      this.render(page.items);
    } catch (err) {
      replaceChildren(this.body);
      this.error.textContent = t('emails.loadFailed', { message: (err as Error).message });
    }
  }

  private render(mails: EmailMessage[]): void {
    if (mails.length === 0) {
      replaceChildren(this.body, el('p', { class: 'muted' }, t('order.noEmails')));
      return;
    }
    const cols = [
      'emails.col.time',
      'emails.col.template',
      'emails.col.recipient',
      'emails.col.status',
      'emails.col.attempts',
      'emails.col.reply',
      'emails.col.actions',
    ] as const;
    replaceChildren(
      this.body,
      el(
        'div',
        { class: 'table-scroll' },
        el(
          'table',
          { class: 'emails-table' },
          el('caption', { class: 'visually-hidden' }, t('order.emailsCaption')),
          headRow(cols),
          el(
            'tbody',
            {},
            ...mails.map((m) =>
              el(
                'tr',
                { 'data-email-id': m.id, class: m.status === 'failed' ? 'email-failed' : '' },
                ...mailCells(m),
                resendButton(m, () => void this.resend(m)),
              ),
            ),
          ),
        ),
      ),
    );
  }

  private async resend(m: EmailMessage): Promise<void> {
    if (await resend(this.session, m, this.element, this.result, this.error)) await this.load();
  }
}

/**
 * The failed mails (the whole log, `status=failed`), newest first, paged by "Altre mail": each with
 * its order (a link that opens it) and "Reinvia". Staff, admins and operators alike.
 */
export class FailedEmailsView {
  private mails: EmailMessage[] = [];
  private nextCursor: string | null = null;

  constructor(
    private readonly session: Session,
    private readonly openOrder: (orderId: string) => void,
  ) {
    byId('emails-reload').addEventListener('click', () => void this.load());
    byId('emails-more').addEventListener('click', () => void this.load(true));
  }

  async load(more = false): Promise<void> {
    const params = new URLSearchParams({ status: 'failed', limit: String(PAGE) });
    if (more && this.nextCursor) params.set('cursor', this.nextCursor);
    const status = byId('emails-status');
    try {
      const page = await this.session.request<EmailMessageList>('GET', `/email-messages?${queryString(params)}`);
      this.mails = more ? [...this.mails, ...page.items] : page.items;
      this.nextCursor = page.nextCursor;
      status.textContent = this.mails.length === 0 ? t('emails.none') : t('emails.count', { n: this.mails.length });
      this.render();
    } catch (err) {
      status.textContent = t('emails.loadFailed', { message: (err as Error).message });
    }
  }

  clear(): void {
    this.mails = [];
    this.nextCursor = null;
    replaceChildren(byId('emails-body'));
    byId('emails-more').hidden = true;
    byId('emails-result').textContent = '';
    byId('emails-error').textContent = '';
  }

  rerender(): void {
    this.render();
  }

  private render(): void {
    byId('emails-more').hidden = this.nextCursor === null;
    replaceChildren(
      byId('emails-body'),
      ...this.mails.map((m) =>
        el(
          'tr',
          { 'data-email-id': m.id },
          ...mailCells(m),
          el('td', {}, m.orderId ? this.orderLink(m, m.orderId) : el('span', { class: 'muted' }, t('emails.account'))),
          resendButton(m, () => void this.resend(m)),
        ),
      ),
    );
  }

  private orderLink(m: EmailMessage, orderId: string): HTMLElement {
    return el(
      'a',
      {
        href: '#emails',
        'aria-label': t('emails.openOrderOf', { subject: m.subject }),
        onclick: (e: Event) => {
          e.preventDefault();
          this.openOrder(orderId);
        },
      },
      t('emails.openOrder'),
    );
  }

  private async resend(m: EmailMessage): Promise<void> {
    if (await resend(this.session, m, byId('emails-view'), byId('emails-result'), byId('emails-error'))) await this.load();
  }
}
