import type { Request, Response } from 'express';
import type { RequestBody } from '../platform/http/contract';
import { clientKeyOf } from '../platform/rate-limit';
import type { FirstAdminSetup } from './first-admin-setup';

export function createSetupController(setup: FirstAdminSetup, apiBase: string) {
  return {
    async createFirstAdmin(req: Request, res: Response): Promise<void> {
      const admin = await setup.createFirstAdmin(req.body as RequestBody<'createFirstAdmin'>, clientKeyOf(req.ip));
      res.setHeader('Cache-Control', 'no-store');
      res.status(201).location(`${apiBase}/users/${admin.id}`).json(admin);
    },
  };
}
