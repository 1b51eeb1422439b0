// Builds the staff console (src/console/web) into src/console/static: bundled, minified ES modules
// (the console with socket.io-client, the first-admin setup page and the password-reset page), the stylesheet and the
// HTML. No CDN, so the page works offline. Run by `npm run build` and before `npm test`.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(root, 'src/console/web');
const out = path.join(root, 'src/console/static');

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: { console: path.join(src, 'main.ts'), setup: path.join(src, 'setup.ts'), 'password-reset': path.join(src, 'password-reset.ts') },
  outdir: out,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2022'],
  minify: true,
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
});
for (const file of ['index.html', 'setup.html', 'password-reset.html', 'console.css']) copyFileSync(path.join(src, file), path.join(out, file));
