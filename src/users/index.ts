export { UserModel } from './user.model';
export { UsersService, toUserView, type UserView, type CustomerSummary, type AccountPorts, type PasswordChange } from './users.service';
export type { UserRecord } from './user.repository';
export { assertAcceptablePassword } from './password-policy';
export { createUsersRouter } from './users.routes';
export { hashPassword, verifyPassword, verifyAgainstDummy } from './password';
export { findTokenHolder, type TokenHolderCondition, type TokenHolderRecord } from './token-holder.repository';
export { customerSummarySql } from './user-summary.repository';
