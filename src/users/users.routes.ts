import { Router } from 'express';
import type { UsersService } from './users.service';
import { createUsersController } from './users.controller';

export function createUsersRouter(users: UsersService): Router {
  const c = createUsersController(users);
  const router = Router();
  router.get('/users', c.listUsers);
  router.post('/users', c.createUser);
  router.get('/users/:id', c.getUser);
  router.patch('/users/:id', c.updateUser);
  router.post('/users/:id/password', c.setUserPassword);
  return router;
}
