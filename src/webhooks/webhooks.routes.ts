import express, { Router } from 'express';
import type { WebhooksService } from './webhooks.service';
import { createWebhooksController } from './webhooks.controller';

export const WEBHOOK_PATHS = ['/api/v1/webhooks/payments/stripe', '/api/v1/webhooks/shipping/easypost'] as const;

/**
 * Keeps webhook bodies as the exact bytes received (signatures are over them). Mounted before
 * express.json, which then leaves these requests alone.
 */
export function webhookRawBody(limitBytes: number) {
  return express.raw({ type: ['application/json', 'application/*+json'], limit: limitBytes });
}

export function createWebhooksRouter(webhooks: WebhooksService): Router {
  const c = createWebhooksController(webhooks);
  const router = Router();
  router.post('/webhooks/payments/stripe', c.receiveStripeWebhook);
  router.post('/webhooks/shipping/easypost', c.receiveEasyPostWebhook);
  return router;
}
