import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../../src/platform/config';

const base = { NODE_ENV: 'test', DATABASE_URL: 'postgres://localhost/x', JWT_SECRET: 'x'.repeat(40) };

describe('CSV import limits (issue 30)', () => {
  it("refuses an IMPORT_MAX_ROWS above the contract's 1,000,000 rows of a report, and takes 1,000,000", () => {
    expect(loadConfig({ ...base, IMPORT_MAX_ROWS: '1000000' }).imports.maxRows).to.equal(1_000_000);
    let problems: string[] = [];
    try {
      loadConfig({ ...base, IMPORT_MAX_ROWS: '1000001' });
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems = err.problems.map((p) => p.variable);
    }
    expect(problems).to.deep.equal(['IMPORT_MAX_ROWS']);
  });
});
