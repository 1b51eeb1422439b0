import { expect } from 'chai';
import type { Db, Tx } from '../../../src/platform/db/db';
import { withProviderCall } from '../../../src/platform/upstream';

/** A Db that logs what happens: transactions opened, committed (resolved) or rolled back (thrown). */
function fakeDb() {
  const log: string[] = [];
  let open = 0;
  let n = 0;
  const db = {
    async transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
      const id = (n += 1);
      open += 1;
      log.push(`begin ${id}`);
      try {
        const result = await work({ id } as unknown as Tx);
        log.push(`commit ${id}`);
        return result;
      } catch (err) {
        log.push(`rollback ${id}`);
        throw err;
      } finally {
        open -= 1;
      }
    },
  };
  return { db: db as unknown as Db, log, open: () => open };
}

const txId = (tx: Tx) => (tx as unknown as { id: number }).id;

describe('withProviderCall, the provider protocol (unit)', () => {
  it('records in one transaction, calls with none open, finishes in a second and answers what finish answers', async () => {
    const { db, log, open } = fakeDb();
    const answer = await withProviderCall(db, {
      record: async (tx) => {
        log.push(`record in ${txId(tx)}`);
        return { attempt: 'a1' };
      },
      call: async (recorded) => {
        log.push(`call ${recorded.attempt} with ${open()} open`);
        return 'created';
      },
      finish: async (tx, recorded, result) => {
        log.push(`finish in ${txId(tx)}`);
        return `${recorded.attempt}:${result}`;
      },
    });
    expect(answer).to.equal('a1:created');
    expect(log).to.deep.equal(['begin 1', 'record in 1', 'commit 1', 'call a1 with 0 open', 'begin 2', 'finish in 2', 'commit 2']);
  });

  it('calls nothing and answers undefined when record finds nothing to call', async () => {
    const { db, log } = fakeDb();
    let called = false;
    const answer = await withProviderCall(db, {
      record: async (): Promise<{ id: string } | undefined> => undefined,
      call: async () => {
        called = true;
      },
      finish: async () => 'finished',
    });
    expect(answer).to.equal(undefined);
    expect(called).to.equal(false);
    expect(log).to.deep.equal(['begin 1', 'commit 1']);
  });

  it('throws a refusal from record before any call, rolling back what record wrote', async () => {
    const { db, log } = fakeDb();
    let called = false;
    const run = withProviderCall(db, {
      record: async () => {
        throw new Error('not payable');
      },
      call: async () => {
        called = true;
      },
      finish: async () => 'finished',
    });
    await expectRejection(run, 'not payable');
    expect(called).to.equal(false);
    expect(log).to.deep.equal(['begin 1', 'rollback 1']);
  });

  it('throws the provider error at once and writes nothing more without a fail step', async () => {
    const { db, log } = fakeDb();
    const run = withProviderCall(db, {
      record: async () => 'attempt',
      call: async () => {
        throw new Error('provider down');
      },
      finish: async () => 'finished',
    });
    await expectRejection(run, 'provider down');
    expect(log).to.deep.equal(['begin 1', 'commit 1']);
  });

  it('commits what fail recorded, then throws the provider error when fail answers nothing', async () => {
    const { db, log } = fakeDb();
    const run = withProviderCall(db, {
      record: async () => 'attempt',
      call: async (): Promise<string> => {
        throw new Error('refused');
      },
      finish: async () => 'finished',
      fail: async (tx, recorded, err) => {
        log.push(`fail ${recorded} in ${txId(tx)}: ${(err as Error).message}`);
      },
    });
    await expectRejection(run, 'refused');
    expect(log).to.deep.equal(['begin 1', 'commit 1', 'begin 2', 'fail attempt in 2: refused', 'commit 2']);
  });

  it("answers fail's value instead of the error when it gives one, also for a call that throws before awaiting", async () => {
    const { db } = fakeDb();
    const answer = await withProviderCall(db, {
      record: async () => 'attempt',
      call: (): Promise<string> => {
        throw new Error('not configured');
      },
      finish: async () => 'finished',
      fail: async (_tx, _recorded, err) => `retry later (${(err as Error).message})`,
    });
    expect(answer).to.equal('retry later (not configured)');
  });

  it('lets concurrent duplicates of one process join one call, each finishing with its answer, until the first finish is over', async () => {
    const { db } = fakeDb();
    let calls = 0;
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    let endFirstFinish!: () => void;
    const firstFinishEnds = new Promise<void>((resolve) => (endFirstFinish = resolve));
    const tick = () => new Promise((resolve) => setImmediate(resolve));
    const pay = (who: string) =>
      withProviderCall(db, {
        record: async () => ({ payment: 'p1', who }),
        join: (r) => `payment:${r.payment}`,
        call: async () => {
          calls += 1;
          await answered;
          return `intent-${calls}`;
        },
        finish: async (_tx, r, intent) => {
          if (r.who === 'first') await firstFinishEnds;
          return `${r.who} got ${intent}`;
        },
      });
    const first = pay('first');
    const second = pay('second');
    await tick();
    answer();
    await tick();
    // The provider has answered; the first request is still finishing: a duplicate joins, calls nothing.
    const duringFinish = pay('during finish');
    await tick();
    endFirstFinish();
    expect(await Promise.all([first, second, duringFinish])).to.deep.equal(['first got intent-1', 'second got intent-1', 'during finish got intent-1']);
    expect(await pay('later')).to.equal('later got intent-2');
    expect(calls).to.equal(2);
  });

  it('shares a failed call with its duplicates (each runs its fail) and never across two Db instances', async () => {
    const one = fakeDb();
    const other = fakeDb();
    let calls = 0;
    const failures: string[] = [];
    const attempt = (db: Db, who: string) =>
      withProviderCall(db, {
        record: async () => who,
        join: () => 'payment:p1',
        call: async (): Promise<string> => {
          calls += 1;
          await new Promise((resolve) => setImmediate(resolve));
          throw new Error('rejected');
        },
        finish: async () => 'finished',
        fail: async (_tx, recorded) => {
          failures.push(recorded);
          return 'failed';
        },
      });
    expect(await Promise.all([attempt(one.db, 'a'), attempt(one.db, 'b'), attempt(other.db, 'c')])).to.deep.equal(['failed', 'failed', 'failed']);
    expect(calls).to.equal(2);
    expect(failures.sort()).to.deep.equal(['a', 'b', 'c']);
  });
});

async function expectRejection(promise: Promise<unknown>, message: string): Promise<void> {
  try {
    await promise;
  } catch (err) {
    expect((err as Error).message).to.equal(message);
    return;
  }
  expect.fail(`expected a rejection: ${message}`);
}
