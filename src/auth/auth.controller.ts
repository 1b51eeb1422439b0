import type { Request, Response } from 'express';
import type { RequestBody } from '../platform/http/contract';
import { actorOf } from '../platform/http/async-handler';
import type { UsersService } from '../users';
import { clientKeyOf } from '../platform/rate-limit';
import type { AuthService } from './auth.service';

export function createAuthController(auth: AuthService, users: UsersService) {
  return {
    async registerCustomer(req: Request, res: Response): Promise<void> {
      const body = req.body as RequestBody<'registerCustomer'>;
      const user = await auth.register(body, clientKeyOf(req.ip));
      res.status(201).location(`/api/v1/users/${user.id}`).json(user);
    },
    async login(req: Request, res: Response): Promise<void> {
      const body = req.body as RequestBody<'login'>;
      res.setHeader('Cache-Control', 'no-store');
      res.json(await auth.login(body.email, body.password, clientKeyOf(req.ip)));
    },
    async refreshSession(req: Request, res: Response): Promise<void> {
      const body = req.body as RequestBody<'refreshSession'>;
      res.setHeader('Cache-Control', 'no-store');
      res.json(await auth.refresh(body.refreshToken));
    },
    async logout(req: Request, res: Response): Promise<void> {
      const body = req.body as RequestBody<'logout'>;
      await auth.logout(actorOf(req).id, body.refreshToken);
      res.status(204).end();
    },
    async getCurrentUser(req: Request, res: Response): Promise<void> {
      res.json(await users.get(actorOf(req).id));
    },
  };
}
