import type { Schemas } from '../platform/http/contract';
import { UnauthorizedError } from '../platform/errors';
import { verifyAgainstDummy, verifyPassword, type UsersService, type UserView } from '../users';

import type { AccessTokens } from './access-token';
import type { RefreshTokens } from './refresh-tokens';
import type { LoginThrottle } from './login-throttle';
import type { RateLimit } from '../platform/rate-limit';

type TokenPair = Schemas['TokenPair'];

const BAD_CREDENTIALS = 'The email or password is incorrect.';

/** Sign-up, sign-in, rotation and sign-out: the stories of the auth endpoints. */
export class AuthService {
  constructor(
    private readonly users: UsersService,
    private readonly accessTokens: AccessTokens,
    private readonly refreshTokens: RefreshTokens,
    private readonly throttle: LoginThrottle,
    private readonly limits: { register: RateLimit; refresh: RateLimit },
  ) {}

  /** Each registration costs an argon2 hash: limited per client address. */
  async register(input: { email: string; password: string; name: string }, clientAddress: string): Promise<UserView> {
    await this.limits.register.consume(clientAddress);
    return this.users.create({ ...input, role: 'customer' });
  }

  async login(email: string, password: string, clientAddress: string): Promise<TokenPair> {
    const user = await this.throttle.attempt(email, clientAddress, async () => {
      const found = await this.users.findByEmail(email);
      // Unknown users cost a dummy verification so both failures take about the same time.
      const valid = found ? await verifyPassword(found.passwordHash, password) : await verifyAgainstDummy(password);
      return found && valid && !found.disabled ? found : null;
    });
    if (!user) throw new UnauthorizedError(BAD_CREDENTIALS, 'invalid-credentials');
    const session = await this.refreshTokens.issue(user.id);
    const access = this.accessTokens.sign(user, session.familyId);
    return { accessToken: access.token, refreshToken: session.token, tokenType: 'Bearer', expiresIn: access.expiresIn };
  }

  /** Limited per session (refresh token family): a rotated token is new each time, its sign-in is not. */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const session = await this.refreshTokens.sessionOf(refreshToken);
    if (session !== null) await this.limits.refresh.consume(session);
    // In the rotation's transaction: on its connection, never waiting for a second one.
    const rotated = await this.refreshTokens.rotate(refreshToken, async (userId, tx) => {
      const user = await this.users.findById(userId, tx);
      return !!user && !user.disabled;
    });
    const user = await this.users.findById(rotated.userId);
    if (!user) throw new UnauthorizedError('The refresh token is invalid.', 'invalid-refresh-token');
    const access = this.accessTokens.sign(user, rotated.familyId);
    return { accessToken: access.token, refreshToken: rotated.token, tokenType: 'Bearer', expiresIn: access.expiresIn };
  }

  logout(userId: string, refreshToken: string): Promise<void> {
    return this.refreshTokens.revokeFamilyOf(refreshToken, userId);
  }
}
