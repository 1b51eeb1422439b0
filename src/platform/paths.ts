import { existsSync } from 'node:fs';
import path from 'node:path';

/** The repository root, whether running from src/ (tsx) or dist/src/ (built). */
export const projectRoot: string = (() => {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('package.json not found above ' + __dirname);
    dir = parent;
  }
  return dir;
})();

export const generatedDir = path.join(projectRoot, 'generated');
