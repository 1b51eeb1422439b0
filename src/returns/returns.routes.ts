import { Router } from 'express';
import type { ReturnsService } from './returns.service';
import { createReturnsController } from './returns.controller';

export function createReturnsRouter(returns: ReturnsService): Router {
  const c = createReturnsController(returns);
  const router = Router();
  router.post('/orders/:id/returns', c.createReturn);
  router.get('/orders/:id/returns', c.listOrderReturns);
  router.get('/returns', c.listReturns);
  router.get('/returns/:id', c.getReturn);
  router.post('/returns/:id/approve', c.approveReturn);
  router.post('/returns/:id/reject', c.rejectReturn);
  router.post('/returns/:id/cancel', c.cancelReturn);
  router.post('/returns/:id/receive', c.receiveReturn);
  router.post('/returns/:id/close', c.closeReturn);
  return router;
}
