import { expect } from 'chai';
import { cursorScope, encodeCursor, keysetAfter } from '../../src/platform/http/pagination';
import { AppError } from '../../src/platform/errors';

function problemOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    return err as AppError;
  }
  throw new Error('expected an error');
}

describe('keyset cursors (unit)', () => {
  it('round-trips the sort values of the last row', () => {
    const cursor = encodeCursor(['2026-12-02T03:00:00.000Z', '0b9e7c1e-8a55-4f5b-9d8e-2d3a1f0c9b7a']);
    expect(keysetAfter(cursor, ['timestamp', 'uuid'])).to.deep.equal(['2026-12-02T03:00:00.000Z', '0b9e7c1e-8a55-4f5b-9d8e-2d3a1f0c9b7a']);
    expect(keysetAfter(undefined, ['int8'])).to.equal(undefined);
    expect(keysetAfter(encodeCursor([3, 'penna', '0b9e7c1e-8a55-4f5b-9d8e-2d3a1f0c9b7a']), ['int4', 'text', 'uuid'])).to.deep.equal([
      '3',
      'penna',
      '0b9e7c1e-8a55-4f5b-9d8e-2d3a1f0c9b7a',
    ]);
    expect(keysetAfter(encodeCursor(['9223372036854775807']), ['int8'])).to.deep.equal(['9223372036854775807']);
  });

  it('answers invalid-cursor (400) for garbage, the wrong arity and values of the wrong kind', () => {
    for (const bad of ['%%%', encodeCursor([1]), encodeCursor(['not-a-date', '0b9e7c1e-8a55-4f5b-9d8e-2d3a1f0c9b7a']), encodeCursor(['2026-12-02', 'x'])]) {
      const err = problemOf(() => keysetAfter(bad, ['timestamp', 'uuid']));
      expect(err).to.be.instanceOf(AppError);
      expect(err.code).to.equal('invalid-cursor');
      expect(err.status).to.equal(400);
    }
    expect(problemOf(() => keysetAfter(encodeCursor(['12a']), ['int8'])).code).to.equal('invalid-cursor');
  });

  it('refuses values that JavaScript reads but PostgreSQL would not cast to the column type', () => {
    const id = '0b9e7c1e-8a55-4f5b-9d8e-2d3a1f0c9b7a';
    const badTimestamps = [
      '1',
      '2026-12-02',
      '+275760-09-13T00:00:00.000Z',
      '-000001-01-01T00:00:00.000Z',
      '0000-01-01T00:00:00.000Z',
      '2026-02-30T00:00:00.000Z',
      '2026-12-02T03:00:00Z',
      'Tue, 01 Dec 2026 00:00:00 GMT',
      5,
      null,
    ];
    for (const value of badTimestamps)
      expect(problemOf(() => keysetAfter(encodeCursor([value, id]), ['timestamp', 'uuid'])).code, String(value)).to.equal('invalid-cursor');
    const badUuids = ['------------------------------------', `{${id.slice(1, -1)}}`, 'g'.repeat(36), `${id}\u0000`, 42, [id]];
    for (const value of badUuids)
      expect(problemOf(() => keysetAfter(encodeCursor(['2026-12-02T03:00:00.000Z', value]), ['timestamp', 'uuid'])).code, String(value)).to.equal(
        'invalid-cursor',
      );
    const badInt4 = [2 ** 31, -(2 ** 31) - 1, '2147483648', 1.5, '1e3', ' 5', '0x10', true, 1e400, '', '-'];
    for (const value of badInt4) expect(problemOf(() => keysetAfter(encodeCursor([value]), ['int4'])).code, String(value)).to.equal('invalid-cursor');
    for (const value of ['9223372036854775808', '99999999999999999999', 2 ** 64])
      expect(problemOf(() => keysetAfter(encodeCursor([value]), ['int8'])).code, String(value)).to.equal('invalid-cursor');
    for (const value of ['a\u0000b', 7, null, { a: 1 }])
      expect(problemOf(() => keysetAfter(encodeCursor([value]), ['text'])).code, String(value)).to.equal('invalid-cursor');
  });
});

describe('cursors bound to their list', () => {
  it('accepts a cursor only with the scope (sort and filters) it was issued for', () => {
    const scope = cursorScope({ sort: 'name', q: 'penna', limit: 20, cursor: 'x' });
    const cursor = encodeCursor(['penna blu', '0b9e7c1e-8a55-4f5b-9d8e-2d3a1f0c9b7a'], scope);
    expect(keysetAfter(cursor, ['text', 'uuid'], cursorScope({ q: 'penna', sort: 'name', limit: 5 }))).to.deep.equal([
      'penna blu',
      '0b9e7c1e-8a55-4f5b-9d8e-2d3a1f0c9b7a',
    ]);
    for (const other of [cursorScope({ sort: 'name', q: 'quaderno' }), cursorScope({ sort: '-name', q: 'penna' }), cursorScope({ sort: 'name' }), '']) {
      expect(() => keysetAfter(cursor, ['text', 'uuid'], other)).to.throw('cursor');
    }
  });

  it('reads a several-valued filter in any order as the same scope', () => {
    expect(cursorScope({ status: ['paid', 'shipped'] })).to.equal(cursorScope({ status: ['shipped', 'paid'] }));
    expect(cursorScope({ status: ['paid'] })).not.to.equal(cursorScope({ status: ['shipped'] }));
  });
});
