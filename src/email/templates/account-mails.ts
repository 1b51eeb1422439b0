import { italianDateTime, italianTime } from './format';
import { html, joinHtml, oneLine } from './html';
import { button, mail, p, type RenderedMail } from './layout';

const ACCOUNT_FOOTNOTE = 'Ricevi questa email perché riguarda la sicurezza del tuo account QuickStock: non si può disattivare.';

/** The reset link (the token in its fragment), valid until `expiresAt`. */
export function passwordResetMail(input: { name: string; resetUrl: string; expiresAt: Date }): RenderedMail {
  const greeting = `Ciao ${oneLine(input.name)},`;
  const asked = 'abbiamo ricevuto una richiesta di reimpostare la password del tuo account QuickStock.';
  const expiry = `Il link vale una sola volta e scade alle ${italianTime(input.expiresAt)} (ora italiana) di oggi, tra 30 minuti.`;
  const notYou = 'Se non sei stato tu, ignora questa email: la tua password resta quella di prima.';
  return mail({
    subject: 'Reimposta la password del tuo account QuickStock',
    heading: 'Reimposta la password',
    body: joinHtml([p(greeting), p(asked), button(input.resetUrl, 'Scegli una nuova password'), p(expiry), p(notYou)]),
    text: [greeting, '', asked, '', 'Scegli una nuova password da questo link:', input.resetUrl, '', expiry, notYou],
    footnote: ACCOUNT_FOOTNOTE,
  });
}

const HOW: Record<'changed' | 'reset' | 'admin', string> = {
  changed: 'dalle impostazioni del tuo account',
  reset: 'con il link di reimpostazione ricevuto per email',
  admin: 'da un amministratore',
};

/** After any password change: the account's own, by reset link, or by an admin. */
export function passwordChangedMail(input: { name: string; changedAt: Date; how: 'changed' | 'reset' | 'admin' }): RenderedMail {
  const greeting = `Ciao ${oneLine(input.name)},`;
  const what = `la password del tuo account QuickStock è stata modificata il ${italianDateTime(input.changedAt)} ${HOW[input.how]}.`;
  const sessions = 'Per sicurezza abbiamo chiuso le altre sessioni aperte: accedi di nuovo con la nuova password.';
  const notYou = 'Se non sei stato tu, reimposta subito la password con "Password dimenticata?" e avvisa il nostro servizio clienti.';
  return mail({
    subject: 'Password modificata',
    heading: 'Password modificata',
    body: joinHtml([p(greeting), p(what), p(sessions), p(html`<strong>${notYou}</strong>`)]),
    text: [greeting, '', what, sessions, '', notYou],
    footnote: ACCOUNT_FOOTNOTE,
  });
}
