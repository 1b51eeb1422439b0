import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** A dependency whose private internals a patch file reaches into, and the versions it was checked against. */
export interface PatchedDependency {
  /** The package, as npm names it. */
  name: string;
  /**
   * The packages through which the service loads it, outermost first, when it is not the one at the
   * top of node_modules (engine.io is socket.io's; path-to-regexp is express-openapi-validator's).
   */
  via?: readonly string[];
  /** The versions checked: space-separated comparators (`>=6.37.8 <6.38`), all of which must hold. */
  range: string;
}

/** The patches of one file: where it is, and each dependency it reaches into. */
export interface PatchDeclaration {
  file: string;
  dependencies: readonly PatchedDependency[];
}

/** A patched dependency installed in a version its patch was not checked against. */
export class PatchedVersionError extends Error {
  override name = 'PatchedVersionError';
}

/**
 * The version of `name` the service loads: resolved as the service resolves it (through `via`), then
 * read from its package.json (found by walking up from the entry point, since many packages do not
 * export `./package.json`).
 */
export function installedVersion(name: string, via: readonly string[] = []): string {
  let from = __dirname;
  for (const step of [...via, name]) from = packageRoot(require.resolve(step, { paths: [from] }), step);
  const pkg = JSON.parse(readFileSync(path.join(from, 'package.json'), 'utf8')) as { version?: unknown };
  if (typeof pkg.version !== 'string') throw new PatchedVersionError(`${name}'s package.json (${from}) has no version`);
  return pkg.version;
}

function packageRoot(entry: string, name: string): string {
  for (let dir = path.dirname(entry); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name === name) return dir;
  }
  throw new PatchedVersionError(`cannot find the package.json of ${name} above ${entry}`);
}

type Triple = [number, number, number];

/** `6.37.8` → [6, 37, 8]; `6.38` → [6, 38, 0]; a pre-release or build suffix is ignored. */
function parseVersion(text: string): Triple {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:[-+].*)?$/.exec(text.trim());
  if (!m) throw new PatchedVersionError(`not a version: "${text}"`);
  return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
}

function compare(a: Triple, b: Triple): number {
  for (let i = 0; i < 3; i += 1) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return 0;
}

/**
 * Whether `version` meets every comparator of `range` (`>=`, `>`, `<=`, `<`, `=`, separated by
 * spaces): the subset of npm's ranges that a checked range needs, so no semver package is required.
 */
export function satisfies(version: string, range: string): boolean {
  const v = parseVersion(version);
  const comparators = range.trim().split(/\s+/);
  if (comparators.length === 0 || comparators[0] === '') throw new PatchedVersionError('an empty range');
  return comparators.every((comparator) => {
    const m = /^(>=|<=|>|<|=)?(.+)$/.exec(comparator);
    if (!m) throw new PatchedVersionError(`not a comparator: "${comparator}"`);
    const c = compare(v, parseVersion(m[2] as string));
    switch (m[1] ?? '=') {
      case '>=':
        return c >= 0;
      case '<=':
        return c <= 0;
      case '>':
        return c > 0;
      case '<':
        return c < 0;
      default:
        return c === 0;
    }
  });
}

/**
 * Fails, naming every dependency out of its checked range (the dependency, the installed version,
 * the range and the file of the patch), when one of `declarations` meets a version it was not
 * checked against. `versionOf` is for tests.
 */
export function assertVersions(
  declarations: readonly PatchDeclaration[],
  versionOf: (dependency: PatchedDependency) => string = (d) => installedVersion(d.name, d.via),
): void {
  const wrong: string[] = [];
  for (const declaration of declarations) {
    for (const dependency of declaration.dependencies) {
      const version = versionOf(dependency);
      if (satisfies(version, dependency.range)) continue;
      const where = dependency.via?.length ? ` (through ${dependency.via.join(' → ')})` : '';
      wrong.push(`${dependency.name}${where} is ${version}, but ${declaration.file} was checked against ${dependency.range} only`);
    }
  }
  if (wrong.length === 0) return;
  throw new PatchedVersionError(
    `A patched dependency is outside the versions its patch was checked against:\n  - ${wrong.join('\n  - ')}\n` +
      'Check the patch against the installed version (docs/architecture.md, "Patches on private internals"), then widen its range; or install a checked version.',
  );
}
