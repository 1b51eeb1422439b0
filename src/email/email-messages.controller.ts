import type { Request, Response } from 'express';
import { actorOf } from '../platform/http/async-handler';
import { sendStored } from '../platform/idempotency';
import { API_BASE } from '../platform/http/api-base';
import type { QueryOf } from '../platform/http/contract';
import type { EmailMessagesService } from './email-messages.service';

const id = (req: Request): string => String(req.params['id']);

export function createEmailMessagesController(emails: EmailMessagesService) {
  return {
    async listOrderEmails(req: Request, res: Response): Promise<void> {
      const query = req.query as QueryOf<'listOrderEmails'>;
      res.json(await emails.listForOrder(id(req), { limit: query.limit ?? 20, cursor: query.cursor }, actorOf(req)));
    },
    async listEmailMessages(req: Request, res: Response): Promise<void> {
      const query = req.query as QueryOf<'listEmailMessages'>;
      res.json(await emails.list({ limit: query.limit ?? 20, cursor: query.cursor, status: query.status, template: query.template }));
    },
    async getEmailMessage(req: Request, res: Response): Promise<void> {
      res.json(await emails.get(id(req)));
    },
    async resendEmailMessage(req: Request, res: Response): Promise<void> {
      // The contract requires the key: the validator answered 400 without it.
      const result = await emails.resend(id(req), actorOf(req), String(req.header('idempotency-key')));
      res.location(`${API_BASE}/email-messages/${result.body.id}`);
      sendStored(res, result);
    },
  };
}
