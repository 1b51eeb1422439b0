import type { Request, Response } from 'express';
import type { QueryOf, RequestBody } from '../platform/http/contract';
import { actorOf } from '../platform/http/async-handler';
import { API_BASE } from '../platform/http/api-base';
import { sendStored } from '../platform/idempotency';
import type { ReturnsService } from './returns.service';

export function createReturnsController(returns: ReturnsService) {
  const id = (req: Request): string => String(req.params['id']).toLowerCase();
  const key = (req: Request): string | undefined => req.header('idempotency-key');
  return {
    async createReturn(req: Request, res: Response): Promise<void> {
      const result = await returns.create(id(req), req.body as RequestBody<'createReturn'>, actorOf(req), key(req));
      res.location(`${API_BASE}/returns/${result.body.id}`);
      sendStored(res, result);
    },
    async listOrderReturns(req: Request, res: Response): Promise<void> {
      res.json(await returns.listForOrder(id(req), actorOf(req)));
    },
    async listReturns(req: Request, res: Response): Promise<void> {
      const q = req.query as QueryOf<'listReturns'>;
      res.json(await returns.list({ ...q, limit: q.limit ?? 20 }, actorOf(req)));
    },
    async getReturn(req: Request, res: Response): Promise<void> {
      res.json(await returns.get(id(req), actorOf(req)));
    },
    async approveReturn(req: Request, res: Response): Promise<void> {
      sendStored(res, await returns.approve(id(req), actorOf(req), key(req)));
    },
    async rejectReturn(req: Request, res: Response): Promise<void> {
      sendStored(res, await returns.reject(id(req), (req.body as RequestBody<'rejectReturn'>).reason, actorOf(req), key(req)));
    },
    async cancelReturn(req: Request, res: Response): Promise<void> {
      sendStored(res, await returns.cancel(id(req), actorOf(req), key(req)));
    },
    async receiveReturn(req: Request, res: Response): Promise<void> {
      sendStored(res, await returns.receive(id(req), req.body as RequestBody<'receiveReturn'>, actorOf(req), key(req)));
    },
    async closeReturn(req: Request, res: Response): Promise<void> {
      sendStored(res, await returns.close(id(req), actorOf(req), key(req)));
    },
  };
}
