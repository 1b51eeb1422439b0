import path from 'node:path';
import type { PatchDeclaration } from './versions';

/**
 * The memoisation below replaces the `pathToRegexp` export of the path-to-regexp module that
 * express-openapi-validator loads, and so relies on two internals: the validator's compiled code
 * reading that export at each call (`(0, path_to_regexp_1.pathToRegexp)(…)` in its
 * openapi.metadata middleware), and that export being a writable property of a CommonJS module.
 */
export const EXPRESS_OPENAPI_VALIDATOR_PATCHES: PatchDeclaration = {
  file: 'src/platform/patches/express-openapi-validator.ts',
  dependencies: [
    { name: 'express-openapi-validator', range: '>=5.6 <5.7' },
    { name: 'path-to-regexp', via: ['express-openapi-validator'], range: '>=8.4 <9' },
  ],
};

/** Plain flags only: a call with a function option (e.g. `decode`) is never cached. */
const CACHEABLE_OPTIONS = new Set(['sensitive', 'strict', 'end', 'trailing']);

type PathToRegexp = (route: unknown, options?: Record<string, unknown>) => unknown;

/**
 * express-openapi-validator 5.6 compiles a path-to-regexp for every documented route on every
 * request to find the operation (`lookupRoute` in its openapi.metadata middleware): about 5% of the
 * CPU of a cheap request here. The compilation is a pure function of its arguments, so it is
 * memoised, once, on the path-to-regexp module that the validator loads. Only string routes are
 * cached, keyed by route and options; the result objects are only read by their callers.
 */
export function memoiseValidatorRouteRegexps(): void {
  const validatorDir = path.dirname(require.resolve('express-openapi-validator'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const module = require(require.resolve('path-to-regexp', { paths: [validatorDir] })) as { pathToRegexp: PathToRegexp & { memoised?: true } };
  if (module.pathToRegexp.memoised) return;
  const original = module.pathToRegexp;
  const cache = new Map<string, unknown>();
  const memoised = ((route: unknown, options?: Record<string, unknown>) => {
    if (typeof route !== 'string' || (options && Object.keys(options).some((k) => !CACHEABLE_OPTIONS.has(k)))) return original(route, options);
    const key = options ? `${route}\u0000${options['sensitive']}\u0000${options['strict']}\u0000${options['end']}\u0000${options['trailing']}` : route;
    let compiled = cache.get(key);
    if (compiled === undefined) {
      compiled = original(route, options);
      if (cache.size < 10_000) cache.set(key, compiled);
    }
    return compiled;
  }) as PathToRegexp & { memoised?: true };
  memoised.memoised = true;
  module.pathToRegexp = memoised;
}
