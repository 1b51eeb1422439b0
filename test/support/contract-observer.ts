/**
 * Records, on the server side, every (operation, status, problem code) the service sends while
 * the suite runs, and fails the run (a root `afterAll` hook) on any the contract does not list. It listens to the HTTP servers of this process (the suite's service and any second
 * instance a test starts), so it sees exactly what went on the wire whatever client the tests use.
 */
import http from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

type Json = Record<string, any>;

export interface Observation {
  method: string;
  path: string;
  status: number;
  code?: string;
  problem?: unknown;
}

const spec = JSON.parse(readFileSync(path.join(__dirname, '../../generated/openapi.json'), 'utf8')) as Json;
const SPEC_ID = 'https://quickstock.test/openapi.json';
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(JSON.parse(JSON.stringify(spec).replaceAll('"#/', `"${SPEC_ID}#/`)) as Json, SPEC_ID);

const compiled = new Map<string, ValidateFunction>();

/** Compiles a schema of the contract (its `#/…` references resolve inside the contract), once. */
export function compileContractSchema(schema: Json): ValidateFunction {
  const text = JSON.stringify(schema).replaceAll('"#/', `"${SPEC_ID}#/`);
  let validate = compiled.get(text);
  if (!validate) {
    validate = ajv.compile(JSON.parse(text) as Json);
    compiled.set(text, validate);
  }
  return validate;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

/** Path templates, literal ones first so `/orders/{id}` never shadows a literal sibling. */
const routes = Object.keys(spec['paths'] as Json)
  .map((template) => ({
    template,
    regexp: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}/?$`),
    literal: !template.includes('{'),
  }))
  .sort((a, b) => Number(b.literal) - Number(a.literal));

function resolve(node: Json | undefined): Json | undefined {
  let current = node;
  while (current && typeof current['$ref'] === 'string') {
    const pointer = (current['$ref'] as string).replace(/^#\//, '').split('/');
    current = pointer.reduce<Json | undefined>((at, key) => at?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], spec);
  }
  return current;
}

/** The problem codes a documented response lists (`code.enum` in the schema or one of its `allOf`). */
export function documentedCodes(response: Json | undefined): string[] | undefined {
  const schema = resolve(resolve(response)?.['content']?.['application/problem+json']?.['schema']);
  if (!schema) return undefined;
  const parts = [schema, ...((schema['allOf'] as Json[] | undefined) ?? []).map((s) => resolve(s) ?? {})];
  const codes = parts.flatMap((part) => (resolve(part['properties']?.['code'])?.['enum'] as string[] | undefined) ?? []);
  return codes.length > 0 ? codes : undefined;
}

const observed = new Map<string, Observation>();

function record(observation: Observation): void {
  const key = `${observation.method} ${observation.path} ${observation.status} ${observation.code ?? ''}`;
  if (!observed.has(key)) observed.set(key, observation);
}

function watch(req: http.IncomingMessage, res: http.ServerResponse): void {
  const chunks: Buffer[] = [];
  const keep = (chunk: unknown): void => {
    if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
    if (!String(res.getHeader('content-type') ?? '').startsWith('application/problem+json')) return;
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  };
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => http.ServerResponse;
  res.write = ((...args: unknown[]) => {
    keep(args[0]);
    return write(...args);
  }) as typeof res.write;
  res.end = ((...args: unknown[]) => {
    keep(args[0]);
    return end(...args);
  }) as typeof res.end;
  res.once('finish', () => {
    // Only QuickStock's own answers carry its request id (not Socket.IO's, not a test's stub server).
    if (!res.hasHeader('x-request-id')) return;
    let code: string | undefined;
    let problem: unknown;
    if (chunks.length > 0) {
      try {
        problem = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
        code = (problem as { code?: string }).code;
      } catch {
        code = '<unparseable problem body>';
      }
    }
    record({ method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0] ?? '/', status: res.statusCode, code, problem });
  });
}

const emit = http.Server.prototype.emit as (this: http.Server, event: string, ...args: unknown[]) => boolean;
http.Server.prototype.emit = function (this: http.Server, event: string, ...args: unknown[]): boolean {
  if (event === 'request') watch(args[0] as http.IncomingMessage, args[1] as http.ServerResponse);
  return emit.call(this, event, ...args);
} as typeof http.Server.prototype.emit;

/** Checks one observation against the contract; returns why it is not listed, or undefined. */
export function violation(o: Observation): string | undefined {
  const route = routes.find((r) => r.regexp.test(o.path));
  if (!route) return undefined; // documents, docs, console: outside the API contract
  const item = spec['paths'][route.template] as Json;
  // HEAD and OPTIONS are methods like any other: the validator answers them 405 unless documented.
  const method = o.method.toLowerCase();
  const operation = METHODS.includes(method) ? (item[method] as Json | undefined) : undefined;
  const where = `${o.method} ${route.template}`;
  if (!operation) {
    // A method the path does not have: the contract documents that 405 once, for every path.
    const listed = documentedCodes(spec['x-every-path-responses']?.['405']);
    // (A HEAD response has no body, so no code to check.)
    if (o.status === 405 && (o.method === 'HEAD' ? o.code === undefined : listed?.includes(o.code ?? ''))) return undefined;
    return `${where} → ${o.status} ${o.code ?? ''}: a method the path does not have must be a documented 405`;
  }
  const response = (operation['responses'] as Json)[String(o.status)] as Json | undefined;
  const id = operation['operationId'] as string;
  if (!response) return `${id} (${where}) sent ${o.status}${o.code ? ` ${o.code}` : ''}, which its responses do not list`;
  if (o.code === undefined) return undefined;
  const codes = documentedCodes(response);
  if (!codes) return `${id} (${where}) ${o.status}: the response lists no problem codes, but ${o.code} was sent`;
  if (!codes.includes(o.code)) return `${id} (${where}) ${o.status} sent code ${o.code}, not among ${codes.join(', ')}`;
  const validate = compileContractSchema(resolve(response)?.['content']['application/problem+json']['schema'] as Json);
  if (!validate(o.problem)) return `${id} (${where}) ${o.status} ${o.code}: the problem does not match its schema: ${ajv.errorsText(validate.errors)}`;
  return undefined;
}

export const mochaHooks = {
  // Once at the end of a serial run; in parallel mode (make test) at the end of each spec file, over
  // what its worker saw since the previous file, so a violation is reported with the file that made it.
  afterAll(): void {
    const problems = [...new Set([...observed.values()].map(violation).filter((v): v is string => v !== undefined))].sort();
    observed.clear();
    if (problems.length > 0) {
      throw new Error(`The service sent what the contract does not list:\n  ${problems.join('\n  ')}`);
    }
  },
};
