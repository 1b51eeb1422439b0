import { randomUUID } from 'node:crypto';
import type { Schemas } from '../platform/http/contract';
import type { Db } from '../platform/db/db';
import { AppError, ConflictError, UnauthorizedError } from '../platform/errors';
import { assertAcceptablePassword, hashPassword, verifyAgainstDummy, verifyPassword, type UsersService, type UserView } from '../users';
import type { PasswordChangeThrottle } from './password-change-throttle';

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
    private readonly account: { db: Db; passwordChanges: PasswordChangeThrottle },
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

  /**
   * A signed-in user changes its own password: the current one must be right (403, not 401: the
   * client stays signed in; 5 wrong ones in 15 minutes give 429). Every session of the user ends —
   * refresh tokens, access tokens at once, sockets — and this device gets a new sign-in in the same
   * transaction, whose token pair is the answer. Both argon2 computations (the check and the new
   * hash) run before the transaction, never on a held connection.
   */
  async changePassword(userId: string, currentPassword: string, newPassword: string): Promise<TokenPair> {
    assertAcceptablePassword(newPassword, 'body.newPassword');
    const user = await this.users.findById(userId);
    if (!user || user.disabled) throw new UnauthorizedError();
    const right = await this.account.passwordChanges.attempt(user.id, () => verifyPassword(user.passwordHash, currentPassword));
    if (!right) throw new AppError('current-password-wrong', 403, 'The current password is wrong.');
    const passwordHash = await hashPassword(newPassword, 'body.newPassword');
    const { stored, session } = await this.account.db.transaction(async (tx) => {
      const locked = await this.users.lockById(tx, user.id);
      if (!locked || locked.disabled) throw new UnauthorizedError();
      // Replaced since it was checked (another device, an admin, a reset): the check no longer holds.
      if (locked.passwordHash !== user.passwordHash) {
        throw new ConflictError('concurrent-update', 'The password was changed meanwhile; sign in again with the new one.');
      }
      const sessionId = randomUUID();
      const changed = await this.users.replacePassword(tx, locked, passwordHash, 'changed', sessionId);
      return { stored: changed, session: await this.refreshTokens.issue(changed.id, tx, { id: sessionId }) };
    });
    const access = this.accessTokens.sign(stored, session.familyId);
    return { accessToken: access.token, refreshToken: session.token, tokenType: 'Bearer', expiresIn: access.expiresIn };
  }

  logout(userId: string, refreshToken: string): Promise<void> {
    return this.refreshTokens.revokeFamilyOf(refreshToken, userId);
  }
}
