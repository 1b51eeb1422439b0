export { UserModel } from './user.model';
export { UsersService, toUserView, type UserView } from './users.service';
export { createUsersRouter } from './users.routes';
export { hashPassword, verifyPassword, verifyAgainstDummy } from './password';
