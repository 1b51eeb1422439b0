import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Express } from 'express';
import helmet from 'helmet';
import { validatorMiddleware } from './platform/patches';
import { accessLog } from './platform/http/access-log';
import swaggerUi from 'swagger-ui-express';
import type { OpenAPIV3 } from 'express-openapi-validator/dist/framework/types';
import type { Request } from 'express';
import type { Services } from './services';
import { generatedDir } from './platform/paths';
import { requestId } from './platform/http/request-id';
import { precomputedHeaders } from './platform/http/static-headers';
import { plusAsSpaceInQuery } from './platform/http/form-query';
import { rejectNulCharacters } from './platform/http/reject-nul';
import { rejectNonFiniteNumbers } from './platform/http/finite-numbers';
import { problemHandler, notFoundHandler } from './platform/http/problem';
import { createHealthRouter } from './platform/http/health.routes';
import { AppError, ForbiddenError, UnauthorizedError } from './platform/errors';
import { createAuthRouter } from './auth';
import { createUsersRouter } from './users';
import { createProductsRouter } from './products';
import { createCatalogIoRouter } from './catalog-io';
import { createInventoryRouter } from './inventory';
import { API_BASE, outsideApi } from './platform/http/api-base';
import { createOrdersRouter } from './orders';
import { createReturnsRouter } from './returns';
import { createWebhooksRouter, webhookRawBody, WEBHOOK_PATHS } from './webhooks';
import { createSetupRouter } from './setup';
import { createOutgoingWebhooksRouter } from './outgoing-webhooks';
import { createEmailMessagesRouter } from './email';
import { createPurchasingRouter } from './purchasing';

/** Provider events can be larger than API requests; still bounded. */
const WEBHOOK_BODY_LIMIT_BYTES = 1024 * 1024;
import { createConsoleRouter } from './console';

export { API_BASE };

function loadSpec(): OpenAPIV3.DocumentV3_1 {
  return JSON.parse(readFileSync(path.join(generatedDir, 'openapi.json'), 'utf8')) as OpenAPIV3.DocumentV3_1;
}

/** Builds the Express application: plumbing, contract validation, component routers, problems. */
export function createApp(services: Services): Express {
  const { config, logger } = services;
  const spec = loadSpec();
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', typeof config.trustProxy === 'object' ? [...config.trustProxy] : config.trustProxy);
  app.set('etag', false);

  app.use(requestId);
  app.use(services.lifecycle.closeWhileDraining);
  app.use(accessLog(logger));
  app.use(
    precomputedHeaders(
      helmet({
        contentSecurityPolicy: {
          directives: {
            defaultSrc: ["'self'"],
            scriptSrc: ["'self'", "'unsafe-inline'"],
            styleSrc: ["'self'", "'unsafe-inline'"],
            imgSrc: ["'self'", 'data:'],
            connectSrc: ["'self'", 'ws:', 'wss:'],
            upgradeInsecureRequests: null,
          },
        },
      }),
    ),
  );
  app.use(services.metrics.middleware);

  // Documents, docs and the console: outside the validated API, and skipped by every API request.
  const site = express.Router();
  site.get('/openapi.json', (_req, res) => {
    res.json(spec);
  });
  site.get('/asyncapi.json', (_req, res) => {
    res.sendFile(path.join(generatedDir, 'asyncapi.json'));
  });
  site.use('/docs', swaggerUi.serve);
  site.get('/docs', (req, res, next) => {
    if (req.originalUrl === '/docs') return res.redirect(301, '/docs/');
    next();
  });
  const eventDocs = path.join(generatedDir, 'asyncapi-html');
  if (existsSync(eventDocs)) {
    site.use('/docs/events', express.static(eventDocs, { index: 'index.html', redirect: true }));
  }
  site.get('/docs/', swaggerUi.setup(spec as object, { customSiteTitle: 'QuickStock API', swaggerOptions: { persistAuthorization: false } }));
  // The staff console: a static page that uses the public API and the Socket.IO channel like any client.
  site.use(createConsoleRouter({ setupOpen: () => services.setup.isOpen() }));
  app.use(outsideApi(site));

  app.use([...WEBHOOK_PATHS], webhookRawBody(WEBHOOK_BODY_LIMIT_BYTES));
  app.use(
    express.json({
      limit: config.bodyLimitBytes,
      strict: true,
      type: ['application/json', 'application/*+json'],
    }),
  );

  app.use(rejectNulCharacters);
  app.use(plusAsSpaceInQuery);

  app.use(
    validatorMiddleware({
      apiSpec: spec,
      // coerceTypes applies to the body only: the validator always converts query, path and header
      // parameters (strings on the wire). A JSON body is taken as sent: where the contract says
      // integer only a JSON integer passes, never "5", " 5", "0x10" or true.
      validateRequests: { allowUnknownQueryParameters: false, coerceTypes: false, removeAdditional: false, allErrors: true },
      validateResponses: config.validateResponses ? { removeAdditional: false } : false,
      validateFormats: true,
      ignoreUndocumented: false,
      validateSecurity: {
        handlers: {
          bearerAuth: async (req, scopes) => {
            const r = req as Request & { actor?: unknown; authFailure?: AppError };
            try {
              r.actor = await services.accessTokens.authenticate(req);
            } catch (err) {
              r.authFailure = err instanceof AppError ? err : new UnauthorizedError();
              throw Object.assign(new Error(r.authFailure.detail), { status: r.authFailure.status });
            }
            const role = (r.actor as { role: string }).role;
            if (scopes.length > 0 && !scopes.includes(role)) {
              r.authFailure = new ForbiddenError();
              throw Object.assign(new Error(r.authFailure.detail), { status: 403 });
            }
            return true;
          },
        },
      },
    }),
  );
  app.use(rejectNonFiniteNumbers);

  app.use(
    outsideApi(
      createHealthRouter(
        { accepting: services.lifecycle.acceptingCheck, database: services.checkDatabase, ...(services.checkRedis ? { redis: services.checkRedis } : {}) },
        services.metrics.registry,
        { token: config.metrics.token, openWithoutToken: config.nodeEnv !== 'production' },
      ),
    ),
  );
  // The components' routers, in one router under the API's base: a request walks them, not one
  // application layer per component.
  const api = express.Router();
  app.use(API_BASE, api);
  api.use(createSetupRouter(services.setup, API_BASE));
  api.use(createAuthRouter(services.auth, services.users, services.passwordReset));
  api.use(createUsersRouter(services.users));
  // Before the products router: `/products/export` is not a product id.
  api.use(
    createCatalogIoRouter({
      products: services.products,
      orders: services.orders,
      importer: services.productImporter,
      maxImportBytes: config.imports.maxBytes,
    }),
  );
  api.use(createProductsRouter(services.products));
  api.use(createInventoryRouter(services.inventory));
  api.use(createOrdersRouter(services.orders));
  api.use(createReturnsRouter(services.returns));
  api.use(createWebhooksRouter(services.webhooks));
  api.use(createOutgoingWebhooksRouter(services.outgoingWebhooks.service));
  api.use(createEmailMessagesRouter(services.emailMessages));
  api.use(createPurchasingRouter(services.suppliers, services.purchasing, config.warehouseAddress));

  app.use(notFoundHandler);
  app.use(problemHandler(logger));
  return app;
}
