import type { Request, Response } from 'express';
import { API_BASE } from '../platform/http/api-base';
import type { QueryOf, RequestBody } from '../platform/http/contract';
import type { OutgoingWebhooksService } from './outgoing-webhooks.service';

const id = (req: Request) => String(req.params['id']);

export function createOutgoingWebhooksController(hooks: OutgoingWebhooksService) {
  return {
    async listWebhookSubscriptions(req: Request, res: Response): Promise<void> {
      const query = req.query as QueryOf<'listWebhookSubscriptions'>;
      res.json(await hooks.list({ limit: query.limit ?? 20, cursor: query.cursor }));
    },
    async createWebhookSubscription(req: Request, res: Response): Promise<void> {
      const created = await hooks.create(req.body as RequestBody<'createWebhookSubscription'>);
      // The answer carries the signing secret: no cache may keep it.
      res.setHeader('Cache-Control', 'no-store');
      res.status(201).location(`${API_BASE}/webhook-subscriptions/${created.id}`).json(created);
    },
    async getWebhookSubscription(req: Request, res: Response): Promise<void> {
      res.json(await hooks.get(id(req)));
    },
    async updateWebhookSubscription(req: Request, res: Response): Promise<void> {
      res.json(await hooks.update(id(req), req.body as RequestBody<'updateWebhookSubscription'>));
    },
    async deleteWebhookSubscription(req: Request, res: Response): Promise<void> {
      await hooks.remove(id(req));
      res.status(204).end();
    },
    async rotateWebhookSubscriptionSecret(req: Request, res: Response): Promise<void> {
      const rotated = await hooks.rotateSecret(id(req));
      res.setHeader('Cache-Control', 'no-store');
      res.json(rotated);
    },
    async testWebhookSubscription(req: Request, res: Response): Promise<void> {
      const delivery = await hooks.sendTest(id(req));
      res.status(202).location(`${API_BASE}/webhook-deliveries/${delivery.id}`).json(delivery);
    },
    async listWebhookDeliveries(req: Request, res: Response): Promise<void> {
      const query = req.query as QueryOf<'listWebhookDeliveries'>;
      res.json(await hooks.deliveries(id(req), { limit: query.limit ?? 20, cursor: query.cursor, status: query.status, eventType: query.eventType }));
    },
    async getWebhookDelivery(req: Request, res: Response): Promise<void> {
      res.json(await hooks.delivery(id(req)));
    },
    async redeliverWebhookDelivery(req: Request, res: Response): Promise<void> {
      res.json(await hooks.redeliver(id(req)));
    },
  };
}
