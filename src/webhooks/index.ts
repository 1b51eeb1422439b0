export { WebhooksService } from './webhooks.service';
export { createWebhooksRouter, webhookRawBody, WEBHOOK_PATHS } from './webhooks.routes';
export { ProviderEventModel } from './provider-event.model';
