import type Stripe from 'stripe';
import { AppError } from '../platform/errors';

const PAYMENT_INTENT_EVENTS = new Set(['payment_intent.succeeded', 'payment_intent.payment_failed', 'charge.refunded']);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isId = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= 255;

function malformed(detail: string): AppError {
  return new AppError('malformed-event', 400, `The signed event is malformed: ${detail}.`);
}

/**
 * Stripe signs whatever body it is given, so a valid signature says nothing about the shape: an
 * event without a string id, type or data object must be a 400 (a 500 makes Stripe retry for days).
 */
export function assertStripeEventShape(event: unknown): asserts event is Stripe.Event {
  if (!isObject(event)) throw malformed('the body is not a JSON object');
  if (!isId(event['id'])) throw malformed('id must be a non-empty string');
  if (!isId(event['type'])) throw malformed('type must be a non-empty string');
  const data = event['data'];
  if (!isObject(data) || !isObject(data['object'])) throw malformed('data.object must be an object');
  if (PAYMENT_INTENT_EVENTS.has(event['type']) && !isId(data['object']['id'])) throw malformed('data.object.id must be a non-empty string');
}

/**
 * A header repeating `t=` is refused: the SDK checks the first timestamp's age but accepts a
 * signature made with another, so a replayed body could pass with a fresh-looking timestamp.
 */
export function assertSingleTimestamp(signature: string): void {
  const timestamps = signature.split(',').filter((part) => part.trim().startsWith('t='));
  if (timestamps.length !== 1) throw new AppError('invalid-signature', 400, 'The Stripe-Signature header must carry exactly one timestamp (t=).');
}
