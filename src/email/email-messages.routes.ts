import { Router } from 'express';
import type { EmailMessagesService } from './email-messages.service';
import { createEmailMessagesController } from './email-messages.controller';

/** The staff's mail log (openapi/email.yaml): an order's mails, the log filtered, one mail, a re-send. */
export function createEmailMessagesRouter(emails: EmailMessagesService): Router {
  const c = createEmailMessagesController(emails);
  const router = Router();
  router.get('/orders/:id/emails', c.listOrderEmails);
  router.get('/email-messages', c.listEmailMessages);
  router.get('/email-messages/:id', c.getEmailMessage);
  router.post('/email-messages/:id/resend', c.resendEmailMessage);
  return router;
}
