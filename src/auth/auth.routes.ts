import { Router } from 'express';
import type { AuthService } from './auth.service';
import type { UsersService } from '../users';
import { createAuthController } from './auth.controller';

export function createAuthRouter(auth: AuthService, users: UsersService): Router {
  const c = createAuthController(auth, users);
  const router = Router();
  router.post('/auth/register', c.registerCustomer);
  router.post('/auth/login', c.login);
  router.post('/auth/refresh', c.refreshSession);
  router.post('/auth/logout', c.logout);
  router.get('/auth/me', c.getCurrentUser);
  return router;
}
