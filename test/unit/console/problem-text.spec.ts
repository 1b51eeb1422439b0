import { expect } from 'chai';
import { describeProblem } from '../../../src/console/web/problem-text';

// Outside a browser there is no localStorage: the console's words are the Italian default.
describe('console problem text (RFC 9457 problems in plain Italian)', () => {
  const problem = (extra: Record<string, unknown>) => ({ type: 'urn:x', title: 'Conflict', status: 409, detail: 'English detail.', ...extra });

  it('explains a known code in Italian, without the server’s English', () => {
    const text = describeProblem(problem({ code: 'last-admin' }), 409);
    expect(text).to.match(/^È l’ultimo amministratore attivo: non può essere disattivato né diventare operatore/);
    expect(text).not.to.contain('English detail');
  });

  it('names each refused field in words and says why', () => {
    const text = describeProblem(
      problem({
        code: 'validation-failed',
        status: 400,
        errors: [
          { path: 'body.unitPriceCents', message: 'must be >= 0' },
          { path: 'body.sku', message: 'must match pattern "^[A-Za-z0-9._-]{1,64}$"' },
          { path: 'body', message: "must have required property 'name'" },
          { path: 'body.colour', message: 'must NOT have additional properties' },
        ],
      }),
      400,
    );
    expect(text).to.equal(
      'Alcuni dati non sono validi. — prezzo: deve essere almeno 0 — SKU: formato non valido — nome: obbligatorio — colour: campo non previsto',
    );
  });

  it('lists the allowed next statuses and the short lines by their Italian names', () => {
    expect(describeProblem(problem({ code: 'illegal-transition', allowedStatuses: ['shipped', 'cancelled'] }), 409)).to.equal(
      'Questo passo non è consentito dallo stato attuale dell’ordine. — Passi consentiti: Spedito, Annullato.',
    );
    expect(describeProblem(problem({ code: 'illegal-transition', allowedStatuses: [] }), 409)).to.contain('Non sono consentiti altri passi.');
    expect(describeProblem(problem({ code: 'insufficient-stock', lines: [{ productId: 'p', requested: 5, available: 2 }] }), 409)).to.equal(
      'Stock insufficiente per alcune righe. — Richiesti 5, disponibili 2.',
    );
  });

  it('keeps the server’s words, marked as such, for a code it does not know, and copes with no body', () => {
    expect(describeProblem(problem({ code: 'something-new' }), 409)).to.equal('Richiesta non riuscita (409). — Il server dice: “English detail.”');
    expect(describeProblem(undefined, 502)).to.equal('Il server ha risposto 502 senza spiegazione. Riprova.');
  });
});
