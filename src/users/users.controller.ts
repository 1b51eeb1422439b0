import type { Request, Response } from 'express';
import type { QueryOf, RequestBody } from '../platform/http/contract';
import type { UsersService } from './users.service';

export function createUsersController(users: UsersService) {
  return {
    async listUsers(req: Request, res: Response): Promise<void> {
      const query = req.query as QueryOf<'listUsers'>;
      res.json(await users.list({ limit: query.limit ?? 20, cursor: query.cursor, role: query.role, q: query.q }));
    },
    async createUser(req: Request, res: Response): Promise<void> {
      const user = await users.create(req.body as RequestBody<'createUser'>);
      res.status(201).location(`/api/v1/users/${user.id}`).json(user);
    },
    async getUser(req: Request, res: Response): Promise<void> {
      res.json(await users.get(String(req.params['id'])));
    },
    async updateUser(req: Request, res: Response): Promise<void> {
      res.json(await users.update(String(req.params['id']), req.body as RequestBody<'updateUser'>));
    },
    async setUserPassword(req: Request, res: Response): Promise<void> {
      await users.setPassword(String(req.params['id']), (req.body as RequestBody<'setUserPassword'>).password);
      res.status(204).end();
    },
  };
}
