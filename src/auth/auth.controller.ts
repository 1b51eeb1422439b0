import type { Request, Response } from 'express';
import type { RequestBody } from '../platform/http/contract';
import { actorOf } from '../platform/http/async-handler';
import type { UsersService } from '../users';
import { clientKeyOf } from '../platform/rate-limit';
import type { AuthService } from './auth.service';
import type { PasswordReset } from './password-reset';

export function createAuthController(auth: AuthService, users: UsersService, passwordReset: PasswordReset) {
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
    async updateCurrentUser(req: Request, res: Response): Promise<void> {
      const body = req.body as RequestBody<'updateCurrentUser'>;
      res.json(await users.updateOwnSettings(actorOf(req).id, body));
    },
    async changePassword(req: Request, res: Response): Promise<void> {
      const body = req.body as RequestBody<'changePassword'>;
      const tokens = await auth.changePassword(actorOf(req).id, body.currentPassword, body.newPassword);
      res.setHeader('Cache-Control', 'no-store');
      res.json(tokens);
    },
    async requestPasswordReset(req: Request, res: Response): Promise<void> {
      const body = req.body as RequestBody<'requestPasswordReset'>;
      await passwordReset.request(body.email, clientKeyOf(req.ip));
      res.status(202).end();
    },
    async confirmPasswordReset(req: Request, res: Response): Promise<void> {
      const body = req.body as RequestBody<'confirmPasswordReset'>;
      await passwordReset.confirm(body.token, body.newPassword);
      res.status(204).end();
    },
  };
}
