import { expect } from 'chai';
import fc from 'fast-check';
import { asAdmin, customer, type TestUser } from '../../support/api';
import { query } from '../../support/database';
import { FakeStripe } from '../../support/fakes/stripe.fake';
import { askRefund, stripePaidOrder } from './helpers';

/**
 * "Σ non-failed refunds ≤ captured" after a random sequence of refunds against the real database and
 * the fake Stripe (issue 28): each step asks one refund (or two at once) of a random amount, and
 * Stripe makes it or refuses it (402). After every step the stored refunds that did not fail sum to
 * at most what was captured and to the payment's `refunded_cents`, the payment's status follows what
 * succeeded, every answer is a 201 (succeeded or failed as Stripe said) or a 409 naming the balance,
 * and Stripe paid back exactly the refunds that succeeded. Bounded: REFUND_RUNS orders (default 25),
 * a fixed seed (REFUND_SEED).
 */
const SEED = Number(process.env['REFUND_SEED'] ?? 20_261_228);
const RUNS = Number(process.env['REFUND_RUNS'] ?? 25);
const CAPTURED = 2440;

interface Step {
  amounts: number[];
  refused: boolean;
}

const step: fc.Arbitrary<Step> = fc.record({
  // One request, or two at once; amounts up to a bit above the capture (some must be refused).
  amounts: fc.array(fc.integer({ min: 1, max: CAPTURED + 200 }), { minLength: 1, maxLength: 2 }),
  refused: fc.boolean(),
});

describe('refunds never exceed what was captured, whatever the sequence (fast-check)', function () {
  this.timeout(180_000);
  let stripe: FakeStripe;
  let buyer: TestUser;
  before(async () => {
    buyer = await customer();
  });
  beforeEach(() => {
    stripe = new FakeStripe().install();
  });
  afterEach(() => stripe.uninstall());

  it('keeps Σ non-failed refunds ≤ captured, refunded_cents equal to it, and the payment status true to what succeeded', async () => {
    const admin = await asAdmin();
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 5 }), async (steps) => {
        const { order, paymentId, intentId } = await stripePaidOrder(stripe, buyer);
        for (const s of steps) {
          const [before] = await sums(paymentId);
          // Stripe's answer to the next refund call (a 402 refusal, or a refund made).
          if (s.refused) stripe.faults.refunds.push({ status: 402, body: { error: { type: 'card_error', code: 'card_declined', message: 'declined' } } });
          const answers = await Promise.all(s.amounts.map((amountCents) => askRefund(order.id, { amountCents, reason: 'proprietà' }, { token: admin })));
          stripe.faults.refunds.length = 0;
          for (const [i, a] of answers.entries()) {
            const amount = s.amounts[i]!;
            if (a.response.status === 201) {
              expect(['succeeded', 'failed']).to.include(a.data?.status);
              expect(a.data?.amountCents).to.equal(amount);
            } else {
              expect(a.response.status, JSON.stringify(a.error)).to.equal(409);
              expect(a.error).to.include({ code: 'refund-exceeds-balance' });
              const balance = (a.error as { balanceCents: number }).balanceCents;
              expect(amount).to.be.greaterThan(balance);
              if (s.amounts.length === 1) expect(balance).to.equal(CAPTURED - before!.nonFailed);
            }
          }
          if (s.amounts.length === 1 && s.amounts[0]! <= CAPTURED - before!.nonFailed) {
            expect(answers[0]!.data?.status, 'a refund within the balance is made or refused as Stripe says').to.equal(s.refused ? 'failed' : 'succeeded');
          }
          const [after] = await sums(paymentId);
          expect(after!.nonFailed, 'Σ non-failed ≤ captured').to.be.at.most(CAPTURED);
          expect(after!.refunded, 'refunded_cents is Σ non-failed').to.equal(after!.nonFailed);
          expect(after!.pending, 'every refund settled').to.equal(0);
          const expectedStatus = after!.succeeded === CAPTURED ? 'refunded' : after!.succeeded > 0 ? 'partially_refunded' : 'captured';
          expect(after!.status).to.equal(expectedStatus);
        }
        const [end] = await sums(paymentId);
        const made = stripe.refunds.filter((r) => r.payment_intent === intentId).reduce((sum, r) => sum + r.amount, 0);
        expect(made, 'Stripe paid back exactly what succeeded').to.equal(end!.succeeded);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
  });
});

async function sums(paymentId: string) {
  return query<{ nonFailed: number; succeeded: number; pending: number; refunded: number; status: string }>(
    `SELECT coalesce(sum(r.amount_cents) FILTER (WHERE r.status <> 'failed'), 0)::int AS "nonFailed",
            coalesce(sum(r.amount_cents) FILTER (WHERE r.status = 'succeeded'), 0)::int AS succeeded,
            count(*) FILTER (WHERE r.status = 'pending')::int AS pending,
            p.refunded_cents::int AS refunded, p.status
       FROM payments p LEFT JOIN refunds r ON r.payment_id = p.id
      WHERE p.id = $1 GROUP BY p.id`,
    [paymentId],
  );
}
