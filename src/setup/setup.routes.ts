import { Router } from 'express';
import type { FirstAdminSetup } from './first-admin-setup';
import { createSetupController } from './setup.controller';

export function createSetupRouter(setup: FirstAdminSetup, apiBase: string): Router {
  const c = createSetupController(setup, apiBase);
  const router = Router();
  router.post('/setup/first-admin', c.createFirstAdmin);
  return router;
}
