import { expect } from 'chai';
import { reasonText, serviceReason } from '../../../src/console/web/reason-text';

// Outside a browser there is no localStorage: the console's words are the Italian default.
describe('console reason text (what the service wrote, in Italian)', () => {
  it('translates every reason the service writes into order histories and the stock ledger', () => {
    expect(reasonText('payment-timeout')).to.equal('pagamento non ricevuto in tempo: annullato automaticamente');
    expect(reasonText('manual payment')).to.equal('pagamento manuale');
    expect(reasonText('manual payment BONIFICO-2026-118')).to.equal('pagamento manuale, rif. BONIFICO-2026-118');
    expect(reasonText('stripe payment pi_3Q0abc')).to.equal('pagamento Stripe, rif. pi_3Q0abc');
    expect(reasonText('shipped with BRT Express 084512367890123')).to.equal('spedito con BRT Express, tracking 084512367890123');
    expect(reasonText('easypost tracker: delivered')).to.equal('consegna confermata dal corriere (EasyPost)');
    expect(reasonText('order shipped')).to.equal('ordine spedito');
    expect(reasonText('initial stock')).to.equal('giacenza iniziale');
  });

  it('shows a person’s own words as they are', () => {
    expect(serviceReason('il cliente ha cambiato idea')).to.equal(undefined);
    expect(reasonText('il cliente ha cambiato idea')).to.equal('il cliente ha cambiato idea');
    expect(reasonText('Payment-timeout, says the customer')).to.equal('Payment-timeout, says the customer');
    expect(reasonText('consegna fornitore')).to.equal('consegna fornitore');
  });
});
