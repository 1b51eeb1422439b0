// Renders asyncapi/asyncapi.yaml to HTML under generated/asyncapi-html with the AsyncAPI generator
// and its html-template. They are ~400 MB, so they live in tools/asyncapi-docs, installed on demand,
// with Puppeteer's browser download disabled.
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tool = path.join(root, 'tools/asyncapi-docs');
const env = { ...process.env, PUPPETEER_SKIP_DOWNLOAD: '1' };
if (!existsSync(path.join(tool, 'node_modules/@asyncapi/generator'))) {
  execFileSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: tool, stdio: 'inherit', env });
}
const out = path.join(root, 'generated/asyncapi-html');
rmSync(out, { recursive: true, force: true });
execFileSync(
  'node',
  [
    '-e',
    `const mod = require('@asyncapi/generator'); const Generator = mod.default ?? mod;
     const template = require('path').dirname(require.resolve('@asyncapi/html-template/package.json'));
     const g = new Generator(template, ${JSON.stringify(out)}, { forceWrite: true, templateParams: { singleFile: 'true' } });
     g.generateFromFile(${JSON.stringify(path.join(root, 'asyncapi/asyncapi.yaml'))}).then(() => console.log('rendered ${out}'), (e) => { console.error(e); process.exit(1); });`,
  ],
  { cwd: tool, stdio: 'inherit', env },
);
