export { AccessTokens, type AuthenticatedActor } from './access-token';
export { RefreshTokens, refreshTokenPurge } from './refresh-tokens';
export { LoginThrottle } from './login-throttle';
export { PasswordChangeThrottle } from './password-change-throttle';
export { AuthService } from './auth.service';
export { PasswordReset, revokePasswordResets, passwordResetTokenPurge } from './password-reset';
export { createAuthRouter } from './auth.routes';
export { RefreshTokenModel } from './refresh-token.model';
export { PasswordResetTokenModel } from './password-reset-token.model';
