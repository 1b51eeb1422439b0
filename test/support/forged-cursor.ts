/**
 * Forged cursors: a real `nextCursor` opened (it is base64url JSON `{ s: scope, v: values }`), its
 * values replaced, its scope kept, and closed again. Such a cursor passes the scope check, so only
 * the check of each value against the type its SQL casts it to stands between it and PostgreSQL.
 */
export interface OpenedCursor {
  s: string;
  v: unknown[];
}

export function openCursor(cursor: string): OpenedCursor {
  return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as OpenedCursor;
}

/** The cursor with its scope and the given values. */
export function forgeCursor(cursor: string, values: readonly unknown[]): string {
  return Buffer.from(JSON.stringify({ s: openCursor(cursor).s, v: values })).toString('base64url');
}

/** The cursor with value `index` replaced. */
export function forgeValue(cursor: string, index: number, value: unknown): string {
  const values = [...openCursor(cursor).v];
  values[index] = value;
  return forgeCursor(cursor, values);
}

/** Values that no list writes, per the type its SQL casts them to (timestamptz, uuid, int4, int8, text). */
export const BAD_CURSOR_VALUES = {
  timestamp: [
    '1',
    '+275760-09-13T00:00:00.000Z',
    '0000-01-01T00:00:00.000Z',
    '2026-02-30T00:00:00.000Z',
    '2026-12-02',
    1_796_118_012_000,
    null,
    "2026-12-02T03:00:00.000Z'--",
  ],
  uuid: ['------------------------------------', '00000000-0000-0000-0000-00000000000g', '0b9e7c1e8a554f5b9d8e2d3a1f0c9b7a', 7, null],
  int4: [2 ** 31, '2147483648', 1.5, '1e3', ' 5', '0x10', true, 'tre', null],
  int8: ['9223372036854775808', '99999999999999999999', 1e20, '1.5', 'abc', null, ''],
  text: [null, 42, 'a\u0000b', {}, ['x']],
} as const satisfies Record<string, readonly unknown[]>;

/** Every value above, and a few more, for a forger that does not know which type a position has. */
export const ADVERSARIAL_CURSOR_VALUES: readonly unknown[] = [
  ...new Set<unknown>([
    ...Object.values(BAD_CURSOR_VALUES).flat(),
    '00000000-0000-0000-0000-000000000000',
    '-1',
    -(2 ** 63),
    Number.MAX_SAFE_INTEGER,
    1e308,
    "it's",
    '"; DROP TABLE products; --',
    '\\',
    '\ud800',
    'x'.repeat(300),
    '',
    false,
    [],
    { $gt: '' },
  ]),
];
