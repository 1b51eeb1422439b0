/**
 * The first-admin setup page (/console/setup#code=…): reads the one-time code from the link's
 * fragment (never sent to the server in the URL, never logged), removes it from the address bar,
 * and creates the first admin through POST /api/v1/setup/first-admin.
 */
import { byId, field } from './dom';

interface Problem {
  code?: string;
  detail?: string;
  errors?: { path: string; message: string }[];
}

const MESSAGES: Record<string, string> = {
  'invalid-setup-code': 'Il codice di configurazione è sbagliato, già usato o scaduto. Riavvia il servizio per stampare un nuovo link.',
  'not-found': 'Un amministratore esiste già: accedi alla console.',
  'email-taken': 'Esiste già un account con questa email.',
  'rate-limited': 'Troppi tentativi da questo indirizzo: riprova tra qualche minuto.',
  'validation-failed': 'Controlla i campi: ',
};

function explain(status: number, problem: Problem | undefined): string {
  const known = problem?.code ? MESSAGES[problem.code] : undefined;
  if (problem?.code === 'validation-failed') {
    const fields = (problem.errors ?? []).map((e) => e.path.replace(/^\/body\//, '')).join(', ');
    return `${known ?? ''}${fields || (problem.detail ?? '')}`;
  }
  if (known) return known;
  if (status === 0) return 'Il server QuickStock non risponde: controlla che sia avviato e riprova.';
  return problem?.detail ?? `Errore inatteso (HTTP ${status}).`;
}

const code = new URLSearchParams(location.hash.slice(1)).get('code') ?? '';
// The code must not linger in the address bar, the history or a bookmark.
history.replaceState(null, '', location.pathname);

const form = byId<HTMLFormElement>('setup-form');
const error = byId('setup-error');
if (!code) error.textContent = 'Il link non contiene il codice di configurazione: apri il link completo stampato all’avvio del servizio.';

form.addEventListener('submit', (event) => {
  event.preventDefault();
  error.textContent = '';
  if (field(form, 'password') !== field(form, 'confirm')) {
    error.textContent = 'Le due password non coincidono.';
    return;
  }
  const button = form.querySelector('button[type="submit"]') as HTMLButtonElement;
  button.disabled = true;
  void create().finally(() => (button.disabled = false));
});

async function create(): Promise<void> {
  let res: Response;
  try {
    res = await fetch('/api/v1/setup/first-admin', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code, name: field(form, 'name'), email: field(form, 'email'), password: new FormData(form).get('password') }),
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch {
    error.textContent = explain(0, undefined);
    return;
  }
  if (res.status === 201) {
    form.hidden = true;
    byId('setup-intro').hidden = true;
    byId('setup-done').hidden = false;
    byId('setup-done-title').focus();
    return;
  }
  const problem = (await res.json().catch(() => undefined)) as Problem | undefined;
  error.textContent = explain(res.status, problem);
}
