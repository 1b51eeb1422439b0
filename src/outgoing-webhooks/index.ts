export { OutgoingWebhooks } from './outgoing-webhooks';
export { outgoingWebhookJobs } from './outgoing-webhooks.jobs';
export { OutgoingWebhooksService } from './outgoing-webhooks.service';
export { createOutgoingWebhooksRouter } from './outgoing-webhooks.routes';
export { WebhookSubscriptionModel, WebhookDeliveryModel, WebhookDeliveryAttemptModel, WebhookFanoutCursorModel } from './webhook.models';
