import { AppError } from '../errors';

/**
 * Opaque keyset cursors: the sort values of the last row of a page, base64url-encoded JSON.
 * Keyset (not offset) paging means no duplicates and no gaps while rows are added.
 */
export function encodeCursor(values: readonly unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined, arity: number): unknown[] | undefined {
  if (cursor === undefined) return undefined;
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(values) && values.length === arity) return values;
  } catch {
    // fall through to the problem below
  }
  throw invalidCursor();
}

/** The one problem for a cursor that is not ours (forged, truncated, or from another sort). */
export function invalidCursor(): AppError {
  return new AppError('invalid-cursor', 400, 'The cursor is not valid; start again from the first page.');
}

type KeyKind = 'timestamp' | 'uuid' | 'int' | 'text';

const VALID: Record<KeyKind, (v: unknown) => boolean> = {
  timestamp: (v) => typeof v === 'string' && !Number.isNaN(Date.parse(v)),
  uuid: (v) => typeof v === 'string' && /^[0-9a-f-]{36}$/i.test(v),
  int: (v) => /^-?\d+$/.test(String(v)),
  text: (v) => typeof v === 'string',
};

/**
 * Decodes a keyset cursor whose values have the given kinds (the sort keys of the last row seen),
 * or answers the `invalid-cursor` problem; undefined for the first page.
 */
export function keysetAfter<const K extends readonly KeyKind[]>(cursor: string | undefined, kinds: K): { [I in keyof K]: string } | undefined {
  const values = decodeCursor(cursor, kinds.length);
  if (!values) return undefined;
  if (!kinds.every((kind, i) => VALID[kind](values[i]))) throw invalidCursor();
  return values.map(String) as { [I in keyof K]: string };
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Given limit+1 rows, cut the page and make the cursor from the last row kept. */
export function toPage<R, T>(rows: R[], limit: number, map: (row: R) => T, cursorOf: (row: R) => unknown[]): Page<T> {
  const hasMore = rows.length > limit;
  const kept = hasMore ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  return { items: kept.map(map), nextCursor: hasMore && last !== undefined ? encodeCursor(cursorOf(last)) : null };
}
