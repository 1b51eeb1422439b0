import { createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { Passport } from 'passport';
import { ExtractJwt, Strategy as JwtStrategy } from 'passport-jwt';
import type { Config } from '../platform/config';
import { UnauthorizedError } from '../platform/errors';
import { outboxSignal } from '../platform/events';
import type { Actor, Role } from '../platform/http/contract';
import type { Db } from '../platform/db/db';
import { findTokenHolder } from '../users';
import { sessionEndedSql } from './refresh-token.repository';

const ALGORITHM = 'HS256' as const;
const ACCESS = 'access';
const MAX_CACHED_SESSIONS = 10_000;
const MAX_VERIFIED_TOKENS = 10_000;
/** passport-jwt's own parse of the Authorization header (`auth_header.js`): scheme, then the token. */
const AUTH_HEADER = /(\S+)\s+(\S+)/;
/** Clock skew accepted between the instance that signed a token and the one checking it. */
const CLOCK_TOLERANCE_SECONDS = 30;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Evaluated beside the user's row in the token check: the sign-in (`$2`) was ended. */
const SESSION_ENDED = sessionEndedSql('$2');

interface AccessClaims {
  nbf?: number;
  sub: string;
  role: Role;
  typ: typeof ACCESS;
  ver: number;
  exp: number;
  iat: number;
  jti: string;
  /** The sign-in (refresh token family) this token belongs to: signing out ends it. Required. */
  sid: string;
}

export interface AuthenticatedActor extends Actor {
  /** Seconds since the epoch when the token expires (sockets are cut then). */
  expiresAt: number;
  sessionId: string | null;
}

/** A request-like object: passport reads the Authorization header only, never the query string. */
export interface HeaderCarrier {
  headers: Record<string, string | string[] | undefined>;
}

/**
 * Signs and verifies access tokens. Verification is passport-jwt with the algorithm pinned and
 * `iss`/`aud` checked, plus what jsonwebtoken does not check by itself: `exp` must be present, `iat`
 * neither in the future nor older than the access lifetime, a `sid` present, the token an access
 * token, and the user still enabled at the same token version with that sign-in not ended.
 */
export class AccessTokens {
  private readonly passport = new Passport();
  /**
   * A KeyObject, not the string: given a string, jsonwebtoken first tries to parse it as a PEM
   * public key on every call and catches the failure — a sixth of the CPU of a cheap GET.
   */
  private readonly key: KeyObject;
  /**
   * Recently resolved sessions, so that a burst of requests costs one user lookup. Any revocation
   * (logout, refresh-token reuse, user disabled or role changed) clears it: in this process right
   * after its commit, on other instances when the dispatcher relays it (`forgetSessions`), and
   * everywhere after `AUTH_CACHE_TTL_MS` at the latest.
   */
  private readonly sessions = new Map<string, { actor: Omit<AuthenticatedActor, 'expiresAt'>; until: number }>();
  /**
   * Tokens whose signature and registered claims (algorithm, `iss`, `aud`, `exp`) passport-jwt has
   * verified, by their exact text, with their claims: a token sent again skips the HMAC and the
   * JSON parsing (a tenth of a cheap GET's CPU) until it expires. What can change for a valid
   * token — its user, token version, sign-in — is checked on every request all the same
   * (`resolveActor`). Bounded; the oldest entry goes first.
   */
  private readonly verifiedTokens = new Map<string, Partial<AccessClaims>>();
  /** Bumped by every revocation: a lookup that raced with one is not cached. */
  private revocations = 0;

  constructor(
    private readonly config: Config['jwt'],
    private readonly db: Db,
    private readonly cacheTtlMs: number,
  ) {
    this.key = createSecretKey(Buffer.from(config.secret, 'utf8'));
    outboxSignal.on('internal', () => this.forgetSessions());
    this.passport.use(
      'jwt',
      new JwtStrategy(
        {
          jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
          secretOrKey: this.key as unknown as string,
          algorithms: [ALGORITHM],
          issuer: config.issuer,
          audience: config.audience,
          ignoreExpiration: false,
          passReqToCallback: true,
        },
        (carrier: HeaderCarrier, payload: Partial<AccessClaims>, done: (err: unknown, user?: AuthenticatedActor | false) => void) => {
          this.rememberVerified(bearerToken(carrier), payload);
          this.resolveActor(payload).then(
            (actor) => done(null, actor ?? false),
            (err: unknown) => done(err),
          );
        },
      ),
    );
  }

  sign(user: { id: string; role: Role; tokenVersion: number }, sessionId: string): { token: string; expiresIn: number } {
    const token = jwt.sign({ role: user.role, typ: ACCESS, ver: user.tokenVersion, sid: sessionId }, this.key, {
      algorithm: ALGORITHM,
      subject: user.id,
      issuer: this.config.issuer,
      audience: this.config.audience,
      expiresIn: this.config.accessTtlSeconds,
      jwtid: randomUUID(),
    });
    return { token, expiresIn: this.config.accessTtlSeconds };
  }

  /** The one verification used by the REST API's bearerAuth handler and the Socket.IO handshake. */
  authenticate(carrier: HeaderCarrier): Promise<AuthenticatedActor> {
    const token = bearerToken(carrier);
    const verified = token === undefined ? undefined : this.verifiedTokens.get(token);
    if (verified !== undefined) {
      if (unexpired(verified)) {
        return this.resolveActor(verified).then((actor) => {
          if (!actor) throw new UnauthorizedError();
          return actor;
        });
      }
      this.verifiedTokens.delete(token as string);
    }
    return new Promise((resolve, reject) => {
      const authenticate = this.passport.authenticate('jwt', { session: false }, (err: unknown, actor: AuthenticatedActor | false) => {
        if (err) reject(err);
        else if (!actor) reject(new UnauthorizedError());
        else resolve(actor);
      }) as (req: unknown, res: unknown, next: (err?: unknown) => void) => void;
      authenticate(carrier, {}, (err) => reject(err ?? new UnauthorizedError()));
    });
  }

  /**
   * `iat` must be present, not in the future (beyond a small clock skew between instances) and no
   * older than the access lifetime: a token minted with a far `exp` (a leaked key, a bug) or dated
   * ahead does not outlive what this service would issue.
   */
  private issuedInTime(iat: unknown): boolean {
    if (typeof iat !== 'number' || !Number.isFinite(iat)) return false;
    const now = Date.now() / 1000;
    return iat <= now + CLOCK_TOLERANCE_SECONDS && now - iat <= this.config.accessTtlSeconds + CLOCK_TOLERANCE_SECONDS;
  }

  private rememberVerified(token: string | undefined, claims: Partial<AccessClaims>): void {
    if (token === undefined || !unexpired(claims) || claims.nbf !== undefined) return;
    if (this.verifiedTokens.size >= MAX_VERIFIED_TOKENS) this.verifiedTokens.delete(this.verifiedTokens.keys().next().value as string);
    this.verifiedTokens.set(token, claims);
  }

  /** Grows with every revocation heard (local or relayed): lets a caller notice one that raced with it. */
  get revocationCount(): number {
    return this.revocations;
  }

  /** Drops every cached session (a revocation happened somewhere). */
  forgetSessions(): void {
    this.revocations += 1;
    this.sessions.clear();
  }

  async authenticateToken(token: string): Promise<AuthenticatedActor> {
    return this.authenticate({ headers: { authorization: `Bearer ${token}` } });
  }

  private async resolveActor(payload: Partial<AccessClaims>): Promise<AuthenticatedActor | undefined> {
    if (payload.typ !== ACCESS || typeof payload.exp !== 'number' || typeof payload.sub !== 'string') return undefined;
    if (typeof payload.ver !== 'number' || !UUID.test(payload.sub)) return undefined;
    if (!this.issuedInTime(payload.iat)) return undefined;
    // Without a sign-in id the token could not be ended by logout: refused.
    if (typeof payload.sid !== 'string' || !UUID.test(payload.sid)) return undefined;
    const sessionId = payload.sid;
    const cacheKey = `${payload.sub}|${payload.ver}|${sessionId}`;
    const cached = this.sessions.get(cacheKey);
    if (cached && cached.until > Date.now()) return { ...cached.actor, expiresAt: payload.exp };
    const revocationsBefore = this.revocations;
    // One round trip: the user as it is now, and whether the token's sign-in was ended.
    const user = await findTokenHolder(this.db, payload.sub, { sql: SESSION_ENDED, value: sessionId });
    if (!user || user.disabled || user.tokenVersion !== payload.ver || user.conditionMet) return undefined;
    const actor = { id: user.id, role: user.role, sessionId };
    if (this.cacheTtlMs > 0 && this.revocations === revocationsBefore) {
      if (this.sessions.size >= MAX_CACHED_SESSIONS) this.sessions.delete(this.sessions.keys().next().value as string);
      this.sessions.set(cacheKey, { actor, until: Date.now() + this.cacheTtlMs });
    }
    return { ...actor, expiresAt: payload.exp };
  }
}

/** The bearer token of the Authorization header, as passport-jwt's `fromAuthHeaderAsBearerToken` reads it. */
function bearerToken(carrier: HeaderCarrier): string | undefined {
  const header = carrier.headers['authorization'];
  if (typeof header !== 'string') return undefined;
  const match = AUTH_HEADER.exec(header);
  return match && match[1]?.toLowerCase() === 'bearer' ? match[2] : undefined;
}

/** jsonwebtoken's expiry rule (no clock tolerance): expired from the second `exp` names. */
function unexpired(claims: Partial<AccessClaims>): boolean {
  return typeof claims.exp === 'number' && Math.floor(Date.now() / 1000) < claims.exp;
}
