import { createHash } from 'node:crypto';
import { AppError } from '../errors';

/** A list's scope, or a function that computes it (only called when a cursor is read or made). */
export type CursorScope = string | (() => string);

const scopeText = (scope: CursorScope): string => (typeof scope === 'function' ? scope() : scope);

/**
 * Opaque keyset cursors: the sort values of the last row of a page and the scope of the list they
 * came from, base64url-encoded JSON. Keyset (not offset) paging means no duplicates and no gaps
 * while rows are added; the scope binds a cursor to its sort and filters, so reusing it with others
 * is a 400 `invalid-cursor`, never a silently wrong or empty page.
 */
export function encodeCursor(values: readonly unknown[], scope: CursorScope = ''): string {
  return Buffer.from(JSON.stringify({ s: scopeText(scope), v: values })).toString('base64url');
}

export function decodeCursor(cursor: string | undefined, arity: number, scope: CursorScope = ''): unknown[] | undefined {
  if (cursor === undefined) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { s?: unknown; v?: unknown } | null;
    if (payload?.s === scopeText(scope) && Array.isArray(payload.v) && payload.v.length === arity) return payload.v as unknown[];
  } catch {
    // fall through to the problem below
  }
  throw invalidCursor();
}

/**
 * The scope of a list request: its sort and filters (every parameter but `cursor` and `limit`,
 * plus what the server adds, such as the customer a customer's list is narrowed to), hashed.
 */
export function cursorScope(query: object, added: Record<string, unknown> = {}): string {
  const entries = Object.entries({ ...query, ...added })
    .filter(([key, value]) => key !== 'cursor' && key !== 'limit' && value !== undefined && value !== null)
    .map(([key, value]) => [key, Array.isArray(value) ? value.map(String).sort() : value] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(entries)).digest('base64url').slice(0, 16);
}

/**
 * `cursorScope`, computed on first use and then kept: a first page without a next one (the common
 * read) never needs it, and the hash was a visible share of a cheap list request (make bench).
 */
export function lazyCursorScope(query: object, added: Record<string, unknown> = {}): () => string {
  let scope: string | undefined;
  return () => (scope ??= cursorScope(query, added));
}

/** The one problem for a cursor that is not ours (forged, truncated, or from another sort). */
export function invalidCursor(): AppError {
  return new AppError('invalid-cursor', 400, 'The cursor is not valid; start again from the first page.');
}

/** The PostgreSQL type a cursor value is cast to in the list's SQL. */
export type KeyKind = 'timestamp' | 'uuid' | 'int4' | 'int8' | 'text';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const INTEGER = /^-?(0|[1-9]\d{0,18})$/;

/** An integer (a JSON number or its decimal text, as the cursor was written) within [min, max]. */
function integerWithin(min: bigint, max: bigint): (v: unknown) => boolean {
  return (v) => {
    const text = typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : typeof v === 'string' ? v : '';
    if (!INTEGER.test(text)) return false;
    const n = BigInt(text);
    return n >= min && n <= max;
  };
}

/**
 * Each value must be exactly what the list writes (and what PostgreSQL casts): a forged cursor that
 * keeps its scope but changes its values must be the 400 `invalid-cursor`, never a cast error in
 * SQL. Timestamps are `toISOString()` instants of years 1 to 9999 (JavaScript reads '1' or
 * '+275760-09-13T…' as dates, PostgreSQL does not); uuids have the canonical form; integers fit
 * their column; text carries no NUL.
 */
const VALID: Record<KeyKind, (v: unknown) => boolean> = {
  timestamp: (v) => {
    if (typeof v !== 'string' || !ISO_INSTANT.test(v)) return false;
    const date = new Date(v);
    return !Number.isNaN(date.getTime()) && date.getUTCFullYear() >= 1 && date.toISOString() === v;
  },
  uuid: (v) => typeof v === 'string' && UUID.test(v),
  int4: integerWithin(-(2n ** 31n), 2n ** 31n - 1n),
  int8: integerWithin(-(2n ** 63n), 2n ** 63n - 1n),
  text: (v) => typeof v === 'string' && !v.includes('\u0000'),
};

/**
 * Decodes a keyset cursor whose values have the given kinds (the sort keys of the last row seen),
 * or answers the `invalid-cursor` problem; undefined for the first page.
 */
export function keysetAfter<const K extends readonly KeyKind[]>(
  cursor: string | undefined,
  kinds: K,
  scope: CursorScope = '',
): { [I in keyof K]: string } | undefined {
  const values = decodeCursor(cursor, kinds.length, scope);
  if (!values) return undefined;
  if (!kinds.every((kind, i) => VALID[kind](values[i]))) throw invalidCursor();
  return values.map(String) as { [I in keyof K]: string };
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Given limit+1 rows, cut the page and make the cursor (bound to `scope`) from the last row kept. */
export function toPage<R, T>(rows: R[], limit: number, map: (row: R) => T, cursorOf: (row: R) => unknown[], scope: CursorScope = ''): Page<T> {
  const hasMore = rows.length > limit;
  const kept = hasMore ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  return { items: kept.map(map), nextCursor: hasMore && last !== undefined ? encodeCursor(cursorOf(last), scope) : null };
}
