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
    expect(keysetAfter(undefined, ['int'])).to.equal(undefined);
  });

  it('answers invalid-cursor (400) for garbage, the wrong arity and values of the wrong kind', () => {
    for (const bad of ['%%%', encodeCursor([1]), encodeCursor(['not-a-date', '0b9e7c1e-8a55-4f5b-9d8e-2d3a1f0c9b7a']), encodeCursor(['2026-12-02', 'x'])]) {
      const err = problemOf(() => keysetAfter(bad, ['timestamp', 'uuid']));
      expect(err).to.be.instanceOf(AppError);
      expect(err.code).to.equal('invalid-cursor');
      expect(err.status).to.equal(400);
    }
    expect(problemOf(() => keysetAfter(encodeCursor(['12a']), ['int'])).code).to.equal('invalid-cursor');
  });
});

describe('cursors bound to their list', () => {
  it('accepts a cursor only with the scope (sort and filters) it was issued for', () => {
    const scope = cursorScope({ sort: 'name', q: 'penna', limit: 20, cursor: 'x' });
    const cursor = encodeCursor(['penna blu', '0b9e7c1e-8a55-4f5b-9d8e-2d3a1f0c9b7a'], scope);
    expect(keysetAfter(cursor, ['text', 'uuid'], cursorScope({ q: 'penna', sort: 'name', limit: 5 }))).to.deep.equal(['penna blu', '0b9e7c1e-8a55-4f5b-9d8e-2d3a1f0c9b7a']);
    for (const other of [cursorScope({ sort: 'name', q: 'quaderno' }), cursorScope({ sort: '-name', q: 'penna' }), cursorScope({ sort: 'name' }), '']) {
      expect(() => keysetAfter(cursor, ['text', 'uuid'], other)).to.throw('cursor');
    }
  });

  it('reads a several-valued filter in any order as the same scope', () => {
    expect(cursorScope({ status: ['paid', 'shipped'] })).to.equal(cursorScope({ status: ['shipped', 'paid'] }));
    expect(cursorScope({ status: ['paid'] })).not.to.equal(cursorScope({ status: ['shipped'] }));
  });
});
