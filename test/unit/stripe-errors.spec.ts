import { expect } from 'chai';
import { classifyStripeError } from '../../src/payments';

describe('Stripe error classification (unit)', () => {
  it('retries a 409 (the same idempotency key still running at Stripe) like a 429, and never a 400', () => {
    expect(classifyStripeError({ type: 'StripeIdempotencyError', statusCode: 409, message: 'another in-progress request' }).kind).to.equal('rate-limited');
    expect(classifyStripeError({ type: 'StripeRateLimitError', statusCode: 429, message: 'slow down' }).kind).to.equal('rate-limited');
    expect(classifyStripeError({ type: 'StripeInvalidRequestError', statusCode: 400, message: 'bad' }).kind).to.equal('rejected');
    expect(classifyStripeError({ type: 'StripeAPIError', statusCode: 500, message: 'oops' }).kind).to.equal('server');
  });
});
