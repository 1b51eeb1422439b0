import type { Request, Response } from 'express';
import type { RequestBody } from '../platform/http/contract';
import type { FirstAdminSetup } from './first-admin-setup';

export function createSetupController(setup: FirstAdminSetup, apiBase: string) {
  return {
    async createFirstAdmin(req: Request, res: Response): Promise<void> {
      const admin = await setup.createFirstAdmin(req.body as RequestBody<'createFirstAdmin'>, req.ip ?? 'unknown');
      res.setHeader('Cache-Control', 'no-store');
      res.status(201).location(`${apiBase}/users/${admin.id}`).json(admin);
    },
  };
}
