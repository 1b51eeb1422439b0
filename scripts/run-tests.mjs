#!/usr/bin/env node
// `make test` / `npm test`: the whole suite in groups (test/README.md), then the ten slowest spec
// files. Usage: node scripts/run-tests.mjs [group…] (default: every group).
//
//   unit     test/unit: pure logic, no database (.mocharc.unit.json)
//   service  test/{api,realtime,scale,ops,fuzz}: mocha --parallel, TEST_JOBS workers (default 3),
//            each worker with its own database and in-process service (test/support/hooks.ts)
//   faults   test/faults: kill, restart and starve processes; serial, after the service group
//   browser  test/browser: headless Chromium; serial, alongside the faults
//
// Each group is one mocha process, printed whole when it ends, with mocha's own "N passing / N
// failing" lines (.ci/run adds them up). The exit status is non-zero when any group failed.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MOCHA = path.join(ROOT, 'node_modules/.bin/mocha');
const REPORTER = 'scripts/mocha-timings-reporter.cjs';
const JOBS = process.env.TEST_JOBS ?? '3';

const GROUPS = {
  unit: ['--config', '.mocharc.unit.json'],
  service: [
    '--parallel',
    '--jobs',
    JOBS,
    'test/api/**/*.spec.ts',
    'test/realtime/**/*.spec.ts',
    'test/scale/**/*.spec.ts',
    'test/ops/**/*.spec.ts',
    'test/fuzz/**/*.spec.ts',
  ],
  faults: ['test/faults/**/*.spec.ts'],
  browser: ['test/browser/**/*.spec.ts'],
};
// Phases run one after the other; the groups of a phase run at the same time. The unit specs need
// only a CPU and overlap the service group's start-up; faults and browser, both mostly waiting on
// other processes, share the last phase, away from the parallel workers (the faults time things).
const PHASES = [
  ['unit', 'service'],
  ['faults', 'browser'],
];

const asked = process.argv.slice(2);
for (const name of asked) if (!(name in GROUPS)) throw new Error(`unknown group ${name}: one of ${Object.keys(GROUPS).join(', ')}`);
const chosen = (name) => asked.length === 0 || asked.includes(name);

const work = mkdtempSync(path.join(os.tmpdir(), 'quickstock-test-run-'));
const results = [];

function runGroup(name) {
  const timings = path.join(work, `${name}.jsonl`);
  const started = Date.now();
  process.stdout.write(`--- ${name}: started (mocha ${GROUPS[name].join(' ')})\n`);
  return new Promise((resolve) => {
    // Colours only on a terminal: .ci/run reads the plain "N passing" lines of a log.
    const child = spawn(MOCHA, ['--reporter', REPORTER, process.stdout.isTTY ? '--color' : '--no-color', ...GROUPS[name]], {
      cwd: ROOT,
      env: { ...process.env, TEST_TIMINGS_FILE: timings },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks = [];
    child.stdout.on('data', (c) => chunks.push(c));
    child.stderr.on('data', (c) => chunks.push(c));
    child.on('close', (code, signal) => {
      const seconds = (Date.now() - started) / 1000;
      const output = Buffer.concat(chunks).toString('utf8');
      process.stdout.write(`\n=== ${name} (${seconds.toFixed(0)} s)\n${output}\n`);
      const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
      const count = (word) => Number((plain.match(new RegExp(`^ +(\\d+) ${word}`, 'm')) ?? [])[1] ?? 0);
      const files = existsSync(timings)
        ? readFileSync(timings, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((l) => ({ ...JSON.parse(l), group: name }))
        : [];
      results.push({
        name,
        code: code ?? 1,
        signal,
        seconds,
        passing: count('passing'),
        failing: count('failing'),
        pending: count('pending'),
        files,
        failures: failureHeads(plain),
      });
      resolve();
    });
  });
}

/**
 * The head of each of mocha's failure reports ("  1) suite", its title lines, the error's first
 * line), so the run's last lines name what failed even when only the tail of a long log is read.
 */
function failureHeads(plain) {
  const at = plain.search(/^ +\d+ failing/m);
  if (at < 0) return [];
  const heads = [];
  for (const block of plain
    .slice(at)
    .split(/\n(?= +\d+\) )/)
    .slice(1)) {
    const lines = block.split('\n').filter((l) => l.trim() !== '');
    const error = lines.findIndex((l) => /^\s*(\w*Error|AssertionError|Error)\b|^\s+\w+Error:/.test(l));
    const title = lines.slice(0, error > 0 ? Math.min(error, 4) : 3).map((l) => l.trim());
    const detail =
      error >= 0
        ? lines
            .slice(error, error + 3)
            .filter((l) => !/^\s+at /.test(l))
            .map((l) => l.trim())
        : [];
    heads.push(`${title.join(' › ')}${detail.length > 0 ? ` — ${detail.join(' ').slice(0, 300)}` : ''}`);
  }
  return heads;
}

const begun = Date.now();
try {
  for (const phase of PHASES) await Promise.all(phase.filter(chosen).map(runGroup));
} finally {
  rmSync(work, { recursive: true, force: true });
}

const files = results.flatMap((r) => r.files).sort((a, b) => b.ms - a.ms);
if (files.length > 0) {
  process.stdout.write('\nThe ten slowest spec files (tests and hooks, seconds):\n');
  for (const f of files.slice(0, 10)) process.stdout.write(`  ${(f.ms / 1000).toFixed(1).padStart(6)}  ${f.file}  (${f.tests} tests, ${f.group})\n`);
}
const wall = ((Date.now() - begun) / 1000).toFixed(0);
process.stdout.write('\nGroups:\n');
for (const r of results) {
  const status = r.code === 0 ? 'ok' : `FAILED (exit ${r.signal ?? r.code})`;
  process.stdout.write(
    `  ${r.name.padEnd(8)} ${status.padEnd(16)} ${String(r.passing).padStart(4)} passed ${String(r.failing).padStart(3)} failed ${String(r.pending).padStart(3)} pending  ${r.seconds.toFixed(0)} s\n`,
  );
}
const failed = results.flatMap((r) => r.failures.map((f) => `  [${r.name}] ${f}`));
if (failed.length > 0) process.stdout.write(`Failures:\n${failed.slice(0, 20).join('\n')}\n`);
const sum = (key) => results.reduce((n, r) => n + r[key], 0);
process.stdout.write(`Whole suite: ${sum('passing')} passed, ${sum('failing')} failed, ${sum('pending')} pending in ${wall} s\n`);
process.exitCode = results.every((r) => r.code === 0) ? 0 : 1;
