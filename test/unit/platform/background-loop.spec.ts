import { expect } from 'chai';
import pino from 'pino';
import { BackgroundLoop } from '../../../src/platform/background/background-loop';

const silent = pino({ level: 'silent' });

/** A promise and its resolver, to hold a run open until the test lets it finish. */
function gate(): { open: Promise<void>; release: () => void } {
  let release!: () => void;
  const open = new Promise<void>((resolve) => (release = resolve));
  return { open, release };
}

/** Work that counts its runs and waits at each for the test to release it. */
function heldWork() {
  const state = { runs: 0, gates: [] as ReturnType<typeof gate>[] };
  const work = async () => {
    state.runs += 1;
    const g = gate();
    state.gates.push(g);
    await g.open;
  };
  return { state, work };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('BackgroundLoop.wake (run again if woken during a run)', () => {
  it('runs at once when idle and resolves when that run is over', async () => {
    let runs = 0;
    const loop = new BackgroundLoop('test', 60_000, async () => void (runs += 1), silent);
    await loop.wake();
    expect(runs).to.equal(1);
  });

  it('schedules exactly one more run for any number of wakes during a run', async () => {
    const { state, work } = heldWork();
    const loop = new BackgroundLoop('test', 60_000, work, silent);
    const first = loop.wake();
    await tick();
    expect(state.runs).to.equal(1);
    const woken = [loop.wake(), loop.wake(), loop.wake()];
    state.gates[0]?.release();
    await tick();
    expect(state.runs).to.equal(2);
    state.gates[1]?.release();
    await Promise.all([first, ...woken]);
    expect(state.runs).to.equal(2);
  });

  it('resolves a wake during a run only after the run that started after it', async () => {
    const { state, work } = heldWork();
    const loop = new BackgroundLoop('test', 60_000, work, silent);
    void loop.wake();
    await tick();
    let settled = false;
    const woken = loop.wake().then(() => (settled = true));
    state.gates[0]?.release();
    await tick();
    expect(settled, 'resolved with the run it interrupted').to.equal(false);
    state.gates[1]?.release();
    await woken;
    expect(settled).to.equal(true);
  });

  it('does not run again for runOnce (the tick) during a run: it joins it', async () => {
    const { state, work } = heldWork();
    const loop = new BackgroundLoop('test', 60_000, work, silent);
    const first = loop.runOnce();
    await tick();
    const joined = loop.runOnce();
    state.gates[0]?.release();
    await Promise.all([first, joined]);
    expect(state.runs).to.equal(1);
  });

  it('runs again after a run that failed when woken during it, and logs the failure', async () => {
    const g = gate();
    let runs = 0;
    const warnings: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) });
    const loop = new BackgroundLoop(
      'test',
      60_000,
      async () => {
        runs += 1;
        if (runs === 1) {
          await g.open;
          throw new Error('boom');
        }
      },
      logger,
    );
    const first = loop.wake();
    await tick();
    const woken = loop.wake();
    g.release();
    await Promise.all([first, woken]);
    expect(runs).to.equal(2);
    expect(warnings.some((w) => w.includes('test failed; will retry'))).to.equal(true);
  });

  it('lets the work ask for one more run by waking the loop itself', async () => {
    let runs = 0;
    const loop = new BackgroundLoop(
      'test',
      60_000,
      async () => {
        runs += 1;
        // Synchronously, before any await: still counts as during the run.
        if (runs < 3) void loop.wake();
      },
      silent,
    );
    await loop.wake();
    expect(runs).to.equal(3);
  });

  it('never loses a wake that arrives as a run finishes: one run starts after it, whatever the moment', async () => {
    // Wakes queued 0…8 microtasks after the work's end: inside the run's last steps, or just after.
    for (let delay = 0; delay <= 8; delay += 1) {
      let runs = 0;
      let late: Promise<void> | undefined;
      let sawRunAfterWake = false;
      let woke = false;
      const loop = new BackgroundLoop(
        'test',
        60_000,
        async () => {
          runs += 1;
          if (woke) sawRunAfterWake = true;
          if (runs > 1) return;
          let chain = Promise.resolve();
          for (let i = 0; i < delay; i += 1) chain = chain.then(() => undefined);
          void chain.then(() => {
            woke = true;
            late = loop.wake();
          });
        },
        silent,
      );
      await loop.wake();
      await tick();
      await late;
      expect(sawRunAfterWake, `wake ${delay} microtasks after the work`).to.equal(true);
    }
  });

  it('schedules no further run once stopped, and stop waits for the run in flight', async () => {
    const { state, work } = heldWork();
    const loop = new BackgroundLoop('test', 60_000, work, silent);
    loop.start();
    void loop.wake();
    await tick();
    void loop.wake();
    const stopped = loop.stop();
    state.gates[0]?.release();
    await stopped;
    expect(state.runs).to.equal(1);
  });
});
