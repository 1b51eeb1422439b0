// `make postman`: the Postman collection staff use as-is, generated from the contract.
// openapi-to-postmanv2 turns generated/openapi.json into one folder per tag; this script then makes
// it usable without editing: a baseUrl variable, a sign-in whose test stores the tokens, bearer auth
// inherited only by protected requests, Idempotency-Key {{$guid}}, request bodies from the contract's
// examples, ids taken from collection variables, and an "Order flow" folder that runs end to end
// (sign in, list products, place an order, pay manually, prepare, ship, deliver) — what CI runs.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Converter = require('openapi-to-postmanv2');

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const spec = JSON.parse(readFileSync(path.join(root, 'generated/openapi.json'), 'utf8'));
const out = path.join(root, 'docs/postman/quickstock.postman_collection.json');

const converted = await new Promise((resolve, reject) => {
  Converter.convert(
    { type: 'json', data: spec },
    { folderStrategy: 'Tags', parametersResolution: 'Example', requestNameSource: 'Fallback', schemaFaker: false, includeAuthInfoInExample: false },
    (err, result) => (err ? reject(err) : result.result ? resolve(result.output[0].data) : reject(new Error(result.reason))),
  );
});

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const operations = new Map();
for (const [template, item] of Object.entries(spec.paths)) {
  for (const method of METHODS) {
    if (item[method]) operations.set(`${method.toUpperCase()} ${template.replace(/\{(\w+)\}/g, ':$1')}`, item[method]);
  }
}
const byId = new Map([...operations.values()].map((op) => [op.operationId, op]));

function resolveRef(node) {
  let current = node;
  while (current?.$ref)
    current = current.$ref
      .slice(2)
      .split('/')
      .reduce((at, key) => at[key], spec);
  return current;
}

/** The first example of the operation's JSON request body, as the contract gives it. */
function bodyExample(op) {
  const media = resolveRef(op.requestBody)?.content?.['application/json'];
  const first = Object.values(media?.examples ?? {})[0];
  return first ? resolveRef(first).value : undefined;
}

/** Which collection variable an `:id` stands for, by the resource it names. */
function idVariable(urlPath) {
  if (urlPath.includes('orders')) return '{{orderId}}';
  if (urlPath.includes('products')) return '{{productId}}';
  return '{{userId}}';
}

/** Requests whose bodies come from what an earlier request stored rather than from the contract. */
const BODY_FROM_VARIABLES = {
  login: { email: '{{email}}', password: '{{password}}' },
  refreshSession: { refreshToken: '{{refreshToken}}' },
  logout: { refreshToken: '{{refreshToken}}' },
};

const isPublic = (op) => Array.isArray(op.security) && op.security.length === 0;

function shapeRequest(item) {
  const request = item.request;
  const key = `${request.method} /${request.url.path.join('/')}`;
  const op = operations.get(key);
  if (!op) throw new Error(`no operation for ${key}`);
  delete item.id;
  item.name = op.summary;
  item.response = [];
  request.name = undefined;
  request.url = {
    raw: `{{baseUrl}}/${request.url.path.join('/')}`,
    host: ['{{baseUrl}}'],
    path: request.url.path,
    query: (request.url.query ?? []).map((q) => ({ key: q.key, value: q.value, description: q.description, disabled: true })),
    variable: (request.url.variable ?? [])
      .filter((v) => v.key !== 'baseUrl')
      .map((v) => ({ key: v.key, value: idVariable(request.url.path.join('/')), description: v.description })),
  };
  request.header = request.header
    .filter((h) => h.key !== 'Accept')
    .map((h) => {
      if (h.key === 'Idempotency-Key') return { key: h.key, value: '{{$guid}}', description: h.description };
      if (h.key === 'If-Match') return { key: h.key, value: '{{productEtag}}', description: h.description };
      return { key: h.key, value: h.value, description: h.description, disabled: h.disabled || undefined };
    });
  const example = BODY_FROM_VARIABLES[op.operationId] ?? bodyExample(op);
  if (example !== undefined) request.body = { mode: 'raw', raw: JSON.stringify(example, null, 2), options: { raw: { language: 'json' } } };
  if (isPublic(op)) request.auth = { type: 'noauth' };
  else delete request.auth;
  if (op.operationId === 'login' || op.operationId === 'refreshSession') item.event = [storeTokens()];
  return item;
}

function script(lines) {
  return { listen: 'test', script: { type: 'text/javascript', exec: lines } };
}

function storeTokens() {
  return script([
    "pm.test('signed in: 200 with a token pair', () => pm.response.to.have.status(200));",
    'const tokens = pm.response.json();',
    "pm.collectionVariables.set('accessToken', tokens.accessToken);",
    "pm.collectionVariables.set('refreshToken', tokens.refreshToken);",
  ]);
}

/** One request of the order flow: a generated request with its own body and a test script. */
function step(operationId, name, { body, query, tests }) {
  const op = byId.get(operationId);
  const template = [...operations.entries()].find(([, o]) => o === op)[0];
  const [method, urlPath] = template.split(' ');
  const segments = urlPath.slice(1).split('/');
  const item = shapeRequest({
    request: {
      method,
      url: { path: segments, query: [], variable: segments.filter((s) => s.startsWith(':')).map((s) => ({ key: s.slice(1) })) },
      header: [
        ...(op.requestBody ? [{ key: 'Content-Type', value: 'application/json' }] : []),
        ...(op.parameters ?? [])
          .map(resolveRef)
          .filter((p) => p.in === 'header')
          .map((p) => ({ key: p.name, value: '', description: p.description })),
      ],
    },
  });
  item.name = name;
  if (body !== undefined) item.request.body = { mode: 'raw', raw: JSON.stringify(body, null, 2), options: { raw: { language: 'json' } } };
  if (query) item.request.url.query = query.map(([key, value]) => ({ key, value }));
  if (query) item.request.url.raw += `?${query.map(([k, v]) => `${k}=${v}`).join('&')}`;
  item.event = operationId === 'login' ? [storeTokens()] : [script(tests)];
  return item;
}

const expectStatus = (status, what) => `pm.test('${what}: ${status}', () => pm.response.to.have.status(${status}));`;
const address = bodyExample(byId.get('createOrder')).shippingAddress;

const orderFlow = {
  name: 'Order flow',
  description:
    'Run this folder in order: sign in as staff, register a customer, find a product in stock, place an order for the customer, record a manual payment, prepare, ship and deliver it.',
  item: [
    step('login', 'Sign in', { tests: [] }),
    step('registerCustomer', 'Register a customer', {
      body: { email: 'cliente-{{$timestamp}}-{{$randomInt}}@cartoleriarossi.it', password: 'Quaderni-a-righe-2026', name: 'Cartoleria Rossi S.r.l.' },
      tests: [expectStatus(201, 'registered'), "pm.collectionVariables.set('customerId', pm.response.json().id);"],
    }),
    step('listProducts', 'List products in stock', {
      query: [['limit', '100']],
      tests: [
        expectStatus(200, 'listed'),
        'const product = pm.response.json().items.find((p) => p.available >= 1);',
        "pm.test('a product is in stock', () => pm.expect(product).to.be.an('object'));",
        "pm.collectionVariables.set('productId', product.id);",
      ],
    }),
    step('createOrder', 'Place an order', {
      body: { items: [{ productId: '{{productId}}', quantity: 1 }], shippingAddress: address, customerId: '{{customerId}}' },
      tests: [
        expectStatus(201, 'placed'),
        "pm.test('pending payment', () => pm.expect(pm.response.json().status).to.equal('pending_payment'));",
        "pm.collectionVariables.set('orderId', pm.response.json().id);",
      ],
    }),
    step('createPayment', 'Pay manually', {
      body: { provider: 'manual', reference: 'Bonifico CRO 0123456789' },
      tests: [expectStatus(201, 'paid'), "pm.test('captured', () => pm.expect(pm.response.json().status).to.equal('captured'));"],
    }),
    step('changeOrderStatus', 'Start preparation', {
      body: { status: 'in_preparation' },
      tests: [expectStatus(200, 'preparing'), "pm.test('in preparation', () => pm.expect(pm.response.json().status).to.equal('in_preparation'));"],
    }),
    step('createShipment', 'Ship', {
      body: { carrier: 'manual', carrierName: 'BRT', trackingCode: '084512367890123' },
      tests: [expectStatus(201, 'shipped'), "pm.test('in transit', () => pm.expect(pm.response.json().status).to.equal('in_transit'));"],
    }),
    step('changeOrderStatus', 'Deliver', {
      body: { status: 'delivered' },
      tests: [expectStatus(200, 'delivered'), "pm.test('delivered', () => pm.expect(pm.response.json().status).to.equal('delivered'));"],
    }),
  ],
};

const collection = {
  info: {
    name: 'QuickStock API',
    description: `${spec.info.description}\nGenerated by \`make postman\` from openapi/openapi.yaml: do not edit by hand. Set \`baseUrl\`, \`email\` and \`password\`, run "Sign in" (it stores the tokens), then any request; "Order flow" runs a whole order.`,
    schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json',
  },
  auth: { type: 'bearer', bearer: [{ key: 'token', value: '{{accessToken}}', type: 'string' }] },
  variable: [
    { key: 'baseUrl', value: 'http://localhost:3000', description: 'Scheme, host and port of the service.' },
    { key: 'email', value: 'admin@example.com', description: 'Who signs in (staff for the order flow).' },
    { key: 'password', value: 'change me', description: 'Their password.' },
    ...['accessToken', 'refreshToken', 'customerId', 'productId', 'productEtag', 'orderId', 'userId'].map((key) => ({ key, value: '' })),
  ],
  item: [orderFlow, ...converted.item.map((folder) => ({ name: folder.name, description: folder.description, item: folder.item.map(shapeRequest) }))],
};

mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(collection, null, 2) + '\n');
console.log(`docs/postman/quickstock.postman_collection.json: ${collection.item.reduce((n, f) => n + f.item.length, 0)} requests`);
