export { AccessTokens, type AuthenticatedActor } from './access-token';
export { RefreshTokens, refreshTokenPurge } from './refresh-tokens';
export { LoginThrottle } from './login-throttle';
export { AuthService } from './auth.service';
export { createAuthRouter } from './auth.routes';
export { RefreshTokenModel } from './refresh-token.model';
export { PasswordResetTokenModel } from './password-reset-token.model';
