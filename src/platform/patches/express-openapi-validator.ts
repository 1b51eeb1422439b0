import path from 'node:path';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { BadRequest, MethodNotAllowed, NotFound } from 'express-openapi-validator/dist/framework/types';
import { OpenApiValidator } from 'express-openapi-validator/dist/openapi.validator';
import { OpenApiSpecLoader } from 'express-openapi-validator/dist/framework/openapi.spec.loader';
import { OpenApiContext } from 'express-openapi-validator/dist/framework/openapi.context';
import { httpMethods, SchemaPreprocessor } from 'express-openapi-validator/dist/middlewares/parsers/schema.preprocessor';
import type { OpenApiValidatorOpts } from 'express-openapi-validator/dist/framework/types';
import type { PatchDeclaration } from './versions';

/**
 * The metadata middleware below (`openApiMetadata`) stands in for the validator's own
 * (`applyOpenApiMetadata` of its openapi.metadata middleware), so it relies on the validator's
 * OpenApiContext (its route maps, `routePair`, `isManagedRoute`, `shouldIgnoreRoute`) and compiles
 * the routes with the path-to-regexp that the validator loads, as the validator does.
 */
export const EXPRESS_OPENAPI_VALIDATOR_PATCHES: PatchDeclaration = {
  file: 'src/platform/patches/express-openapi-validator.ts',
  dependencies: [
    { name: 'express-openapi-validator', range: '>=5.6 <5.7' },
    { name: 'path-to-regexp', via: ['express-openapi-validator'], range: '>=8.4 <9' },
  ],
};

/** The path-to-regexp that express-openapi-validator loads (its own dependency, whatever the top of node_modules holds). */
function validatorPathToRegexp(): (route: string, options: { sensitive: boolean; strict: boolean }) => { regexp: RegExp; keys: { name: string }[] } {
  const validatorDir = path.dirname(require.resolve('express-openapi-validator'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(require.resolve('path-to-regexp', { paths: [validatorDir] })) as { pathToRegexp: ReturnType<typeof validatorPathToRegexp> }).pathToRegexp;
}

type PathItems = Record<string, Record<string, unknown> | undefined>;

/** One documented route, compiled once: what `lookupRoute` of express-openapi-validator 5.6 derives from it on every request. */
interface CompiledRoute {
  expressRoute: string;
  openApiRoute: string;
  regexp: RegExp;
  keys: string[];
  pathItem: Record<string, unknown> | undefined;
  responsePathItem: Record<string, unknown> | undefined;
}

/**
 * express-openapi-validator's openapi.metadata middleware (`applyOpenApiMetadata` of 5.6), with its
 * route lookup compiled once: the library's `lookupRoute` walks every documented route on every
 * request, and for each builds `Object.entries` of the route map, looks the route's pair and path
 * item up, reads `app.enabled` twice and compiles the route's path-to-regexp — with the compilation memoised, 3 %
 * of a product page's CPU, most of the validator's own. Here the routes are compiled once per pair
 * of Express's `strict routing` / `case sensitive routing` settings, in the map's order, and a
 * request runs their regexps until one matches: the same first match, the same `req.openapi`,
 * `req.params` and errors (405 with `Allow`, 404 for an undocumented path under a base path, 400 for a
 * malformed escape).
 */
export function openApiMetadata(context: OpenApiContext, responseApiDoc: { paths: PathItems } | undefined): RequestHandler {
  const pathToRegexp = validatorPathToRegexp();
  // One slot per pair of settings, indexed without building a key on each request.
  const compiled: (CompiledRoute[] | undefined)[] = [undefined, undefined, undefined, undefined];
  const routesFor = (strict: boolean, sensitive: boolean): CompiledRoute[] => {
    const slot = (strict ? 2 : 0) + (sensitive ? 1 : 0);
    let routes = compiled[slot];
    if (!routes) {
      routes = Object.entries(context.expressRouteMap).map(([expressRoute, methods]) => {
        const { openApiRoute } = context.routePair(expressRoute)!;
        const pathKey = openApiRoute.substring((methods as { basePath: string }).basePath.length);
        const { regexp, keys } = pathToRegexp(expressRoute, { sensitive, strict });
        return {
          expressRoute,
          openApiRoute,
          regexp,
          keys: keys.map((k) => k.name),
          pathItem: (context.apiDoc.paths as PathItems)[pathKey],
          responsePathItem: responseApiDoc?.paths[pathKey],
        };
      });
      compiled[slot] = routes;
    }
    return routes;
  };

  return (req, _res, next) => {
    // Note: the base path is empty when the path is fully qualified, i.e. req.path.startsWith('').
    const path = req.path.startsWith(req.baseUrl) ? req.path : `${req.baseUrl}/${req.path}`;
    if (context.shouldIgnoreRoute(path)) return next();
    const url = (context.useRequestUrl ? req.url : req.originalUrl).split('?')[0]!;
    const method = req.method.toLowerCase();
    const routes = routesFor(!!req.app.enabled('strict routing'), !!req.app.enabled('case sensitive routing'));
    for (const route of routes) {
      const matched = route.regexp.exec(url);
      if (!matched) continue;
      let pathParams: Record<string, string>;
      try {
        pathParams = Object.fromEntries(route.keys.map((name, i) => [name, decodeURIComponent(matched[i + 1]!)]));
      } catch {
        throw new BadRequest({ path: req.path, message: `malformed uri'` });
      }
      const schema = route.pathItem?.[method];
      if (!schema) {
        // A route that matches on the path but not the method.
        if (context.ignoreUndocumented) return next();
        throw new MethodNotAllowed({
          path: req.path,
          message: `${req.method} method not allowed`,
          headers: {
            Allow: Object.keys((context.openApiRouteMap as Record<string, object>)[route.openApiRoute]!)
              .filter((key) => httpMethods.has(key.toLowerCase()))
              .join(', '),
          },
        });
      }
      const openapi: Record<string, unknown> = {
        expressRoute: route.expressRoute,
        openApiRoute: route.openApiRoute,
        pathParams,
        schema,
        serial: context.serial,
      };
      if (responseApiDoc) openapi['_responseSchema'] = route.responsePathItem?.[method];
      (req as unknown as { openapi: unknown }).openapi = openapi;
      req.params = pathParams;
      return next();
    }
    if (context.isManagedRoute(path) && !context.ignoreUndocumented) throw new NotFound({ path: req.path, message: 'not found' });
    next();
  };
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
  securityMiddleware(apiDoc: unknown): RequestHandler;
  multipartMiddleware(apiDoc: unknown): RequestHandler;
  requestValidationMiddleware(apiDoc: unknown): RequestHandler;
  responseValidationMiddleware(apiDoc: unknown, serial: number): RequestHandler;
}

/**
 * express-openapi-validator's own middlewares, composed as its `middleware(options)` composes them
 * (`installMiddleware` of 5.6: metadata — `openApiMetadata` above —, security, multipart, request and response validation, on
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
      const handlers = [openApiMetadata(context, preprocessed.apiDocRes as never)];
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
