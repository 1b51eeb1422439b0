import { Router } from 'express';
import type { OutgoingWebhooksService } from './outgoing-webhooks.service';
import { createOutgoingWebhooksController } from './outgoing-webhooks.controller';

export function createOutgoingWebhooksRouter(hooks: OutgoingWebhooksService): Router {
  const c = createOutgoingWebhooksController(hooks);
  const router = Router();
  router.get('/webhook-subscriptions', c.listWebhookSubscriptions);
  router.post('/webhook-subscriptions', c.createWebhookSubscription);
  router.get('/webhook-subscriptions/:id', c.getWebhookSubscription);
  router.patch('/webhook-subscriptions/:id', c.updateWebhookSubscription);
  router.delete('/webhook-subscriptions/:id', c.deleteWebhookSubscription);
  router.post('/webhook-subscriptions/:id/rotate-secret', c.rotateWebhookSubscriptionSecret);
  router.post('/webhook-subscriptions/:id/test', c.testWebhookSubscription);
  router.get('/webhook-subscriptions/:id/deliveries', c.listWebhookDeliveries);
  router.get('/webhook-deliveries/:id', c.getWebhookDelivery);
  router.post('/webhook-deliveries/:id/redeliver', c.redeliverWebhookDelivery);
  return router;
}
