import { expect } from 'chai';
import pino from 'pino';
import { BackgroundJobs, type BackgroundJob } from '../../../src/platform/background/background-jobs';

/** A job that writes what happens to it in `trail`, and fails where told. */
function job(name: string, trail: string[], fail: { start?: boolean; stop?: boolean } = {}): BackgroundJob {
  return {
    name,
    async start() {
      await Promise.resolve();
      trail.push(`start ${name}`);
      if (fail.start) throw new Error('port in use');
    },
    async stop() {
      await Promise.resolve();
      trail.push(`stop ${name}`);
      if (fail.stop) throw new Error('stuck');
    },
  };
}

const silent = pino({ enabled: false });

describe('background jobs registry (unit)', () => {
  it('starts the jobs in the order given and stops them in the reverse order, once', async () => {
    const trail: string[] = [];
    const jobs = new BackgroundJobs([job('a', trail), job('b', trail), job('c', trail)], silent);

    await jobs.start();
    await jobs.stop();
    await jobs.stop();

    expect(trail).to.deep.equal(['start a', 'start b', 'start c', 'stop c', 'stop b', 'stop a']);
    expect(jobs.names).to.deep.equal(['a', 'b', 'c']);
  });

  it('stops the jobs already started, itself included, when one fails to start, and fails naming it', async () => {
    const trail: string[] = [];
    const jobs = new BackgroundJobs([job('a', trail), job('b', trail), job('c', trail, { start: true }), job('d', trail)], silent);

    const failure = await jobs.start().then(
      () => null,
      (err: unknown) => err as Error,
    );

    expect(failure?.message).to.equal('background job "c" failed to start: port in use');
    expect((failure?.cause as Error).message).to.equal('port in use');
    expect(trail).to.deep.equal(['start a', 'start b', 'start c', 'stop c', 'stop b', 'stop a']);
    await jobs.stop();
    expect(trail, 'nothing is left to stop').to.have.length(6);
  });

  it('still stops the other jobs when one fails to stop, and logs that one', async () => {
    const trail: string[] = [];
    const logged: unknown[] = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => void logged.push(JSON.parse(line)) });
    const jobs = new BackgroundJobs([job('a', trail), job('b', trail, { stop: true }), job('c', trail)], logger);

    await jobs.start();
    await jobs.stop();

    expect(trail.slice(3)).to.deep.equal(['stop c', 'stop b', 'stop a']);
    expect(logged).to.have.length(1);
    expect(logged[0]).to.include({ job: 'b', msg: 'background job failed to stop' });
  });

  it('waits for a start in progress before stopping', async () => {
    const trail: string[] = [];
    const jobs = new BackgroundJobs([job('a', trail), job('b', trail)], silent);

    const started = jobs.start();
    await jobs.stop();
    await started;

    expect(trail).to.deep.equal(['start a', 'start b', 'stop b', 'stop a']);
  });

  it('refuses two jobs of the same name', () => {
    expect(() => new BackgroundJobs([job('a', []), job('a', [])], silent)).to.throw('two background jobs are named "a"');
  });
});
