// Mocha's spec reporter, plus: when TEST_TIMINGS_FILE is set, appends one JSON line per spec file
// at the end of the run — {file, ms, tests} with ms the sum of its tests' and hooks' durations — for
// scripts/run-tests.mjs to print the slowest files. Works in serial and parallel mode (the main
// process sees every worker's events, durations included).
'use strict';
const { appendFileSync } = require('node:fs');
const path = require('node:path');
const Mocha = require('mocha');

const { EVENT_TEST_END, EVENT_HOOK_END, EVENT_RUN_END } = Mocha.Runner.constants;

class TimingsReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const out = process.env.TEST_TIMINGS_FILE;
    if (!out) return;
    const files = new Map();
    const add = (runnable, isTest) => {
      const file = runnable.file ?? runnable.parent?.file;
      if (!file || typeof runnable.duration !== 'number') return;
      const entry = files.get(file) ?? { ms: 0, tests: 0 };
      entry.ms += runnable.duration;
      if (isTest) entry.tests += 1;
      files.set(file, entry);
    };
    runner.on(EVENT_TEST_END, (test) => add(test, true));
    runner.on(EVENT_HOOK_END, (hook) => add(hook, false));
    runner.once(EVENT_RUN_END, () => {
      const lines = [...files].map(([file, { ms, tests }]) => JSON.stringify({ file: path.relative(process.cwd(), file), ms, tests }));
      if (lines.length > 0) appendFileSync(out, `${lines.join('\n')}\n`);
    });
  }
}

module.exports = TimingsReporter;
