import { Router } from 'express';
import type { AuthService } from './auth.service';
import type { UsersService } from '../users';
import type { PasswordReset } from './password-reset';
import { createAuthController } from './auth.controller';

export function createAuthRouter(auth: AuthService, users: UsersService, passwordReset: PasswordReset): Router {
  const c = createAuthController(auth, users, passwordReset);
  const router = Router();
  router.post('/auth/register', c.registerCustomer);
  router.post('/auth/login', c.login);
  router.post('/auth/refresh', c.refreshSession);
  router.post('/auth/logout', c.logout);
  router.get('/auth/me', c.getCurrentUser);
  router.patch('/auth/me', c.updateCurrentUser);
  router.post('/auth/password', c.changePassword);
  router.post('/auth/password-reset', c.requestPasswordReset);
  router.post('/auth/password-reset/confirm', c.confirmPasswordReset);
  return router;
}
