/**
 * The password-reset page (/console/password-reset), for customers and staff alike.
 *
 * Opened from the mailed link (`#token=…`): the token is read from the URL fragment — which the
 * browser never sends to a server nor puts in a Referer — removed from the address bar at once (no
 * history entry or bookmark keeps it), and sent only in the body of POST
 * /api/v1/auth/password-reset/confirm with the new password. Opened without a token (the sign-in
 * form's "Password dimenticata?"), it asks for the link: POST /api/v1/auth/password-reset, whose
 * answer is the same whether the address has an account or not, and so is this page's.
 */
import { byId, field } from './dom';
import { lang, onLangChange, setLang, t } from './i18n';
import { translatePage } from './page-text';
import { describeProblem, type Problem } from './problem-text';

const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? '';
if (location.hash) history.replaceState(null, '', location.pathname);

const requestForm = byId<HTMLFormElement>('request-form');
const chooseForm = byId<HTMLFormElement>('choose-form');

function showText(): void {
  translatePage();
  document.title = t('reset.pageTitle');
}
for (const button of document.querySelectorAll<HTMLButtonElement>('.lang-switch')) {
  button.addEventListener('click', () => setLang(lang() === 'it' ? 'en' : 'it'));
}
onLangChange(showText);
showText();

/** POSTs JSON to the API: the status and, for a problem, its body; status 0 when the server cannot be reached. */
async function post(path: string, body: unknown): Promise<{ status: number; problem?: Partial<Problem> }> {
  try {
    const res = await fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
    });
    if (res.ok) return { status: res.status };
    return { status: res.status, problem: (await res.json().catch(() => undefined)) as Partial<Problem> | undefined };
  } catch {
    return { status: 0 };
  }
}

const explain = (status: number, problem: Partial<Problem> | undefined): string => (status === 0 ? t('problem.network') : describeProblem(problem, status));

/** Disables the form's button while `work` runs, so a double click sends one request. */
async function submitting(form: HTMLFormElement, work: () => Promise<void>): Promise<void> {
  const button = form.querySelector<HTMLButtonElement>('button[type="submit"]');
  if (button) button.disabled = true;
  try {
    await work();
  } finally {
    if (button) button.disabled = false;
  }
}

function done(hide: HTMLElement, show: string): void {
  hide.hidden = true;
  byId(show).hidden = false;
  byId(`${show}-title`).focus();
}

if (token) {
  chooseForm.hidden = false;
  byId('new-password').focus();
  chooseForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const error = byId('choose-error');
    error.textContent = '';
    const data = new FormData(chooseForm);
    const newPassword = String(data.get('newPassword') ?? '');
    if (newPassword !== String(data.get('repeat') ?? '')) {
      error.textContent = t('reset.mismatch');
      return;
    }
    void submitting(chooseForm, async () => {
      const { status, problem } = await post('/api/v1/auth/password-reset/confirm', { token, newPassword });
      if (status === 204) return done(chooseForm, 'choose-done');
      error.textContent = explain(status, problem);
      // A link that no longer works: only a new one helps.
      byId('ask-again').hidden = !(problem?.code === 'invalid-reset-token' || problem?.errors?.some((e) => e.path === 'body.token'));
    });
  });
} else {
  requestForm.hidden = false;
  byId('reset-email').focus();
  requestForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const error = byId('request-error');
    error.textContent = '';
    void submitting(requestForm, async () => {
      const { status, problem } = await post('/api/v1/auth/password-reset', { email: field(requestForm, 'email') });
      if (status === 202) return done(requestForm, 'request-sent');
      error.textContent = explain(status, problem);
    });
  });
}
