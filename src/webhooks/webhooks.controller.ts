import type { Request, Response } from 'express';
import { AppError } from '../platform/errors';
import type { WebhooksService } from './webhooks.service';

/** The raw bytes that were signed: the webhook routes are parsed by express.raw, never re-serialized. */
function rawBody(req: Request): Buffer {
  if (!Buffer.isBuffer(req.body)) throw new AppError('invalid-body', 400, 'The webhook body must be sent as application/json.');
  return req.body;
}

function headersOf(req: Request): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) out[name] = Array.isArray(value) ? value.join(',') : value;
  return out;
}

export function createWebhooksController(webhooks: WebhooksService) {
  return {
    async receiveStripeWebhook(req: Request, res: Response): Promise<void> {
      res.json(await webhooks.receivePayment('stripe', rawBody(req), headersOf(req)));
    },
    async receiveEasyPostWebhook(req: Request, res: Response): Promise<void> {
      res.json(await webhooks.receiveTracking('easypost', rawBody(req), headersOf(req)));
    },
  };
}
