import type { components } from '../../../generated/openapi';
import { announce, byId, el, replaceChildren } from './dom';
import { lang, t } from './i18n';
import { describeProblem, type Problem } from './problem-text';
import type { Session } from './session';

type ImportReport = components['schemas']['ImportReport'];

interface Answer {
  status: number;
  body: unknown;
}

/**
 * Sends the file with XMLHttpRequest (fetch reports no upload progress): the progress bar follows
 * the upload, which is what takes time for a large file on a slow line; a 401 gets one refresh.
 */
function upload(session: Session, path: string, file: File, headers: Record<string, string>, onProgress: (fraction: number) => void): Promise<Answer> {
  const once = (): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', `/api/v1${path}`);
      xhr.setRequestHeader('content-type', 'text/csv');
      xhr.setRequestHeader('accept-language', lang());
      if (session.token) xhr.setRequestHeader('authorization', `Bearer ${session.token}`);
      for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
      xhr.upload.addEventListener('progress', (e) => {
        if (e.lengthComputable) onProgress(e.loaded / e.total);
      });
      xhr.addEventListener('load', () => {
        let body: unknown;
        try {
          body = xhr.responseText ? (JSON.parse(xhr.responseText) as unknown) : undefined;
        } catch {
          body = undefined;
        }
        resolve({ status: xhr.status, body });
      });
      xhr.addEventListener('error', () => reject(new Error(t('problem.network'))));
      xhr.send(file);
    });
  return once().then(async (answer) => (answer.status === 401 && (await session.refresh()) ? once() : answer));
}

const summaryOf = (r: ImportReport): string => t('catalog.summary', { rows: r.rows, created: r.created, updated: r.updated, unchanged: r.unchanged });

/**
 * "Importa" on the products view: choose a CSV file → "Controlla" (a dry run: the report, each wrong
 * cell highlighted in the table of errors) → "Applica" (the same file, all or nothing, with an
 * Idempotency-Key per chosen file so a double click or a retry applies it once).
 */
export class ProductImportDialog {
  private readonly dialog = byId<HTMLDialogElement>('import-dialog');
  private readonly fileInput = byId<HTMLInputElement>('import-file');
  private readonly progress = byId<HTMLProgressElement>('import-progress');
  private readonly status = byId('import-status');
  private readonly report = byId('import-report');
  private readonly applyButton = byId<HTMLButtonElement>('import-apply');
  private readonly checkButton = byId<HTMLButtonElement>('import-check');
  private key = '';

  constructor(
    private readonly session: Session,
    private readonly onApplied: () => void,
  ) {
    byId('product-import').addEventListener('click', () => this.open());
    byId('import-dialog-close').addEventListener('click', () => this.dialog.close());
    this.fileInput.addEventListener('change', () => {
      this.key = crypto.randomUUID();
      this.applyButton.disabled = true;
      replaceChildren(this.report);
      this.status.textContent = '';
    });
    byId<HTMLFormElement>('import-form').addEventListener('submit', (e) => {
      e.preventDefault();
      void this.send(true);
    });
    this.applyButton.addEventListener('click', () => void this.send(false));
  }

  private open(): void {
    this.fileInput.value = '';
    this.applyButton.disabled = true;
    this.progress.hidden = true;
    this.status.textContent = '';
    replaceChildren(this.report);
    this.dialog.showModal();
  }

  private async send(dryRun: boolean): Promise<void> {
    const file = this.fileInput.files?.[0];
    if (!file) {
      this.status.textContent = t('catalog.chooseFile');
      this.fileInput.focus();
      return;
    }
    this.checkButton.disabled = true;
    this.applyButton.disabled = true;
    this.progress.hidden = false;
    this.progress.value = 0;
    this.status.textContent = t('catalog.uploading');
    try {
      const answer = await upload(
        this.session,
        `/product-imports${dryRun ? '?dryRun=true' : ''}`,
        file,
        dryRun ? {} : { 'idempotency-key': this.key },
        (fraction) => {
          this.progress.value = fraction;
          if (fraction >= 1) this.status.textContent = t(dryRun ? 'catalog.checking' : 'catalog.applying');
        },
      );
      this.progress.value = 1;
      const problem = answer.body as (Partial<Problem> & { report?: ImportReport }) | undefined;
      const report = answer.status < 300 ? (answer.body as ImportReport) : problem?.report;
      if (report) this.showReport(report, answer.status);
      else this.status.textContent = t('catalog.failed', { message: describeProblem(problem, answer.status) });
      if (!dryRun && answer.status === 201 && report) {
        this.status.textContent = t('catalog.applied', { summary: summaryOf(report) });
        this.onApplied();
      }
      announce(this.status.textContent ?? '');
    } catch (err) {
      this.status.textContent = t('catalog.failed', { message: (err as Error).message });
    } finally {
      this.checkButton.disabled = false;
      this.progress.hidden = true;
    }
  }

  private showReport(r: ImportReport, status: number): void {
    const wrong = r.errors.length > 0;
    this.status.textContent = wrong ? t('catalog.errorsFound', { n: r.errors.length }) : t('catalog.clean');
    this.applyButton.disabled = wrong || status === 201;
    replaceChildren(
      this.report,
      el('p', { 'data-testid': 'import-summary' }, summaryOf(r)),
      wrong
        ? el(
            'table',
            { class: 'import-errors' },
            el('caption', {}, t('catalog.errorsCaption')),
            el(
              'thead',
              {},
              el(
                'tr',
                {},
                el('th', { scope: 'col' }, t('catalog.col.row')),
                el('th', { scope: 'col' }, t('catalog.col.column')),
                el('th', { scope: 'col' }, t('catalog.col.value')),
                el('th', { scope: 'col' }, t('catalog.col.message')),
              ),
            ),
            el(
              'tbody',
              {},
              ...r.errors.map((e) =>
                el(
                  'tr',
                  { 'data-row': e.row, 'data-column': e.column ?? '' },
                  el('td', { class: 'num' }, e.row),
                  el('td', {}, e.column ?? t('catalog.wholeRow')),
                  el('td', { class: 'cell-error' }, el('mark', {}, e.value === null || e.value === '' ? t('catalog.empty') : e.value)),
                  el('td', {}, e.message),
                ),
              ),
            ),
          )
        : null,
    );
  }
}

/** "Esporta": the filtered catalog as an Italian Excel CSV, downloaded with the session's token. */
export async function downloadExport(session: Session, query: string): Promise<string> {
  const send = (): Promise<Response> =>
    fetch(`/api/v1/products/export${query ? `?${query}` : ''}`, {
      headers: session.token ? { authorization: `Bearer ${session.token}` } : {},
      cache: 'no-store',
      credentials: 'omit',
    });
  let res = await send();
  if (res.status === 401 && (await session.refresh())) res = await send();
  if (!res.ok) {
    const problem = (await res.json().catch(() => undefined)) as Partial<Problem> | undefined;
    throw new Error(describeProblem(problem, res.status));
  }
  const file = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'prodotti.csv';
  const url = URL.createObjectURL(await res.blob());
  const link = el('a', { href: url, download: file, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return file;
}
