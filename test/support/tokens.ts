import jwt from 'jsonwebtoken';
import { TEST_JWT_SECRET } from './hooks';

export interface SignOptions extends jwt.SignOptions {
  /** Another key than the service's (a forged token). */
  secret?: string;
  /** Leave `exp` out (a token the service must refuse). */
  noExpiry?: boolean;
}

/**
 * Signs a token the way the service does (HS256, its issuer and audience, 60 s), for tests that
 * need one the API would not hand out: each option overrides one property.
 */
export function signToken(payload: object, options: SignOptions = {}): string {
  const { secret = TEST_JWT_SECRET, noExpiry = false, ...overrides } = options;
  return jwt.sign(payload, secret, {
    algorithm: 'HS256',
    issuer: 'quickstock',
    audience: 'quickstock-api',
    ...(noExpiry ? {} : { expiresIn: 60 }),
    ...overrides,
  });
}

/** An access token for `user` with extra claims, expiring in `expiresInSeconds` (negative: already expired). */
export function signAccessToken(user: { id: string; role: string }, claims: Record<string, unknown> = {}, expiresInSeconds = 60, secret?: string): string {
  return signToken({ role: user.role, typ: 'access', ver: 0, ...claims }, { subject: user.id, expiresIn: expiresInSeconds, ...(secret ? { secret } : {}) });
}
