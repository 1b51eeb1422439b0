import path from 'node:path';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { OpenApiValidator } from 'express-openapi-validator/dist/openapi.validator';
import { OpenApiSpecLoader } from 'express-openapi-validator/dist/framework/openapi.spec.loader';
import { OpenApiContext } from 'express-openapi-validator/dist/framework/openapi.context';
import { SchemaPreprocessor } from 'express-openapi-validator/dist/middlewares/parsers/schema.preprocessor';
import type { OpenApiValidatorOpts } from 'express-openapi-validator/dist/framework/types';
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
  // By the two flags the validator passes ({ sensitive, strict }), then by route: no key is built
  // per call (the lookup runs once per documented route on every request).
  const caches = [new Map<string, unknown>(), new Map<string, unknown>(), new Map<string, unknown>(), new Map<string, unknown>()];
  const memoised = ((route: unknown, options?: Record<string, unknown>) => {
    const cache = typeof route === 'string' ? cacheFor(caches, options) : undefined;
    if (cache === undefined) return original(route, options);
    let compiled = cache.get(route as string);
    if (compiled === undefined) {
      compiled = original(route, options);
      if (cache.size < 10_000) cache.set(route as string, compiled);
    }
    return compiled;
  }) as PathToRegexp & { memoised?: true };
  memoised.memoised = true;
  module.pathToRegexp = memoised;
}

/** The cache for options holding at most the boolean flags `sensitive` and `strict`; none for any other option. */
function cacheFor<T>(caches: readonly T[], options: Record<string, unknown> | undefined): T | undefined {
  if (options === undefined) return caches[0];
  for (const key in options) if (key !== 'sensitive' && key !== 'strict') return undefined;
  const { sensitive = false, strict = false } = options;
  if (typeof sensitive !== 'boolean' || typeof strict !== 'boolean') return undefined;
  return caches[(sensitive ? 2 : 0) + (strict ? 1 : 0)];
}

/** What `validatorMiddleware` calls of the validator's class: methods its own installMiddleware calls (private in its types). */
interface ValidatorInternals {
  options: {
    validateApiSpec: boolean;
    $refParser: unknown;
    validateResponses: false | object;
    validateRequests: false | object;
    validateSecurity: false | object;
    fileUploader: false | object;
    ignorePaths: RegExp | ((path: string) => boolean);
    ignoreUndocumented: boolean;
    useRequestUrl: boolean;
  };
  ajvOpts: { preprocessor: object };
  metadataMiddleware(context: OpenApiContext, responseApiDoc: unknown): RequestHandler;
  securityMiddleware(apiDoc: unknown): RequestHandler;
  multipartMiddleware(apiDoc: unknown): RequestHandler;
  requestValidationMiddleware(apiDoc: unknown): RequestHandler;
  responseValidationMiddleware(apiDoc: unknown, serial: number): RequestHandler;
}

/**
 * express-openapi-validator's own middlewares, composed as its `middleware(options)` composes them
 * (`installMiddleware` of 5.6: metadata, security, multipart, request and response validation, on
 * the same spec loader, schema preprocessor and context), but called directly once the spec is
 * loaded: the library wraps each of them in a `.then()` of the loading promise, which costs every
 * request five promise hops. Its `app.param` path-parameter hooks are left out: they act only on
 * routes of the application's own router, and every route here is on a component's router.
 */
export function validatorMiddleware(options: OpenApiValidatorOpts): RequestHandler {
  const validator = new OpenApiValidator(options) as unknown as ValidatorInternals;
  const { options: o } = validator;
  const loading = new OpenApiSpecLoader({
    apiDoc: structuredClone(options.apiSpec) as never,
    validateApiSpec: o.validateApiSpec,
    $refParser: o.$refParser as never,
  })
    .load()
    .then((spec) => {
      const preprocessed = new SchemaPreprocessor(spec.apiDoc, validator.ajvOpts.preprocessor as never, o.validateResponses as never).preProcess();
      const context = new OpenApiContext(spec, o.ignorePaths as never, o.ignoreUndocumented, o.useRequestUrl);
      const handlers = [validator.metadataMiddleware(context, preprocessed.apiDocRes)];
      if (o.validateSecurity && context.apiDoc.components?.securitySchemes) handlers.push(validator.securityMiddleware(context.apiDoc));
      if (o.fileUploader) handlers.push(validator.multipartMiddleware(context.apiDoc));
      if (o.validateRequests) handlers.push(validator.requestValidationMiddleware(context.apiDoc));
      if (o.validateResponses) handlers.push(validator.responseValidationMiddleware(preprocessed.apiDocRes, context.serial));
      return handlers;
    });
  let ready: RequestHandler[] | undefined;
  loading.then(
    (handlers) => (ready = handlers),
    () => undefined,
  );
  return (req, res, next) => {
    if (ready) runEach(ready, 0, req, res, next);
    else loading.then((handlers) => runEach(handlers, 0, req, res, next), next);
  };
}

/** Each handler in turn; a throw or a rejected promise goes to `next` (as the library's `.catch(next)` did). */
function runEach(handlers: readonly RequestHandler[], index: number, req: Request, res: Response, next: NextFunction): void {
  const handler = handlers[index];
  if (handler === undefined) return next();
  try {
    const result = handler(req, res, (err?: unknown) => (err ? next(err) : runEach(handlers, index + 1, req, res, next))) as unknown;
    if (result instanceof Promise) result.catch(next);
  } catch (err) {
    next(err);
  }
}
