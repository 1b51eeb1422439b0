import { expect } from 'chai';
import { translateDatabaseError } from '../../src/platform/errors';

/** What Sequelize throws for a failed statement: the driver's error as `parent`. */
const sequelizeError = (code: string) => Object.assign(new Error('database error'), { name: 'SequelizeDatabaseError', parent: { code }, original: { code } });

describe('database errors (unit)', () => {
  it('answers a data exception (SQLSTATE class 22) caused by a value of the request with 400 invalid-value', () => {
    for (const code of ['22P02', '22007', '22008', '22001', '22012', '22023']) {
      for (const err of [sequelizeError(code), Object.assign(new Error('pg'), { code })]) {
        const problem = translateDatabaseError(err);
        expect(problem?.status, code).to.equal(400);
        expect(problem?.code, code).to.equal('invalid-value');
      }
    }
  });

  it('keeps the more precise problems of the data exceptions that have one', () => {
    expect(translateDatabaseError(sequelizeError('22003'))?.code).to.equal('value-out-of-range');
    expect(translateDatabaseError(sequelizeError('22021'))?.code).to.equal('invalid-character');
    expect(translateDatabaseError(sequelizeError('22P05'))?.code).to.equal('invalid-character');
    expect(translateDatabaseError(sequelizeError('42P01'))).to.equal(undefined);
  });
});
