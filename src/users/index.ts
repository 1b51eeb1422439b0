export { UserModel } from './user.model';
export { UsersService, toUserView, type UserView, type CustomerSummary } from './users.service';
export { createUsersRouter } from './users.routes';
export { hashPassword, verifyPassword, verifyAgainstDummy } from './password';
export { findTokenHolder, type TokenHolderCondition, type TokenHolderRecord } from './token-holder.repository';
