import fc from 'fast-check';
import { ADVERSARIAL_CURSOR_VALUES, forgeCursor, openCursor } from './forged-cursor';

/**
 * fast-check arbitraries driven by the bundled OpenAPI document's JSON Schemas: `valid` makes values
 * the schema accepts, `hostile` makes values it must refuse or that probe the edges (wrong types,
 * nulls, huge and empty strings, Unicode edge cases, huge integers, unknown and read-only fields).
 */
export type Schema = Record<string, unknown>;

export class SchemaArbitraries {
  constructor(private readonly document: Record<string, unknown>) {}

  /** Follows a local `$ref` (`#/components/...`). */
  resolve(schema: Schema): Schema {
    let current = schema;
    for (let depth = 0; typeof current['$ref'] === 'string' && depth < 20; depth += 1) {
      const pointer = (current['$ref'] as string).replace(/^#\//, '').split('/');
      let target: unknown = this.document;
      for (const part of pointer) target = (target as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
      current = { ...(target as Schema), ...Object.fromEntries(Object.entries(current).filter(([k]) => k !== '$ref')) };
    }
    return current;
  }

  valid(raw: Schema, depth = 0): fc.Arbitrary<unknown> {
    const schema = this.resolve(raw);
    if ('const' in schema) return fc.constant(schema['const']);
    if (Array.isArray(schema['enum'])) return fc.constantFrom(...(schema['enum'] as unknown[]));
    for (const key of ['oneOf', 'anyOf'] as const) {
      if (Array.isArray(schema[key])) return fc.oneof(...(schema[key] as Schema[]).map((s) => this.valid(s, depth + 1)));
    }
    if (Array.isArray(schema['allOf'])) {
      const merged = (schema['allOf'] as Schema[]).map((s) => this.resolve(s)).reduce<Schema>((a, b) => mergeObjects(a, b), {});
      return this.valid(merged, depth + 1);
    }
    const types = Array.isArray(schema['type']) ? (schema['type'] as string[]) : [schema['type'] as string | undefined];
    const arbitraries = types.map((type) => this.validOfType(type, schema, depth));
    return arbitraries.length === 1 ? (arbitraries[0] as fc.Arbitrary<unknown>) : fc.oneof(...arbitraries);
  }

  private validOfType(type: string | undefined, schema: Schema, depth: number): fc.Arbitrary<unknown> {
    switch (type) {
      case 'null':
        return fc.constant(null);
      case 'boolean':
        return fc.boolean();
      case 'integer': {
        const min = typeof schema['minimum'] === 'number' ? schema['minimum'] : -1000;
        const max = typeof schema['maximum'] === 'number' ? schema['maximum'] : 100_000;
        return fc.integer({ min: Math.max(min, Number.MIN_SAFE_INTEGER), max: Math.min(max, Number.MAX_SAFE_INTEGER) });
      }
      case 'number':
        return fc.double({ min: (schema['minimum'] as number | undefined) ?? -1e6, max: (schema['maximum'] as number | undefined) ?? 1e6, noNaN: true });
      case 'array': {
        const items = (schema['items'] as Schema | undefined) ?? {};
        const minLength = (schema['minItems'] as number | undefined) ?? 0;
        const maxLength = Math.min((schema['maxItems'] as number | undefined) ?? 3, minLength + 3);
        if (depth > 4) return fc.constant([]);
        return fc.array(this.valid(items, depth + 1), { minLength, maxLength });
      }
      case 'object':
      case undefined: {
        const properties = (schema['properties'] as Record<string, Schema> | undefined) ?? {};
        const required = new Set((schema['required'] as string[] | undefined) ?? []);
        const record: Record<string, fc.Arbitrary<unknown>> = {};
        for (const [name, property] of Object.entries(properties)) {
          if (this.resolve(property)['readOnly'] === true) continue;
          record[name] = this.valid(property, depth + 1);
        }
        const requiredKeys = Object.keys(record).filter((k) => required.has(k));
        return fc.record(record, { requiredKeys });
      }
      default:
        return this.validString(schema);
    }
  }

  private validString(schema: Schema): fc.Arbitrary<string> {
    const minLength = (schema['minLength'] as number | undefined) ?? 0;
    const maxLength = Math.min((schema['maxLength'] as number | undefined) ?? 40, Math.max(minLength, 1) + 40);
    switch (schema['format']) {
      case 'uuid':
        return fc.uuid();
      case 'email':
        return fc.emailAddress().filter((e) => e.length <= maxLength && e.length >= minLength);
      case 'date-time':
        return fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
      case 'date':
        return fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
      case 'uri':
        return fc.webUrl({ validSchemes: ['https'] });
      default:
        break;
    }
    if (typeof schema['pattern'] === 'string') {
      // stringMatching makes short strings: repeat one up to minLength (a repeated match of a
      // character-class pattern still matches), cut at maxLength, and keep only real matches.
      const pattern = new RegExp(schema['pattern'] as string);
      const max = (schema['maxLength'] as number | undefined) ?? 200;
      return fc
        .stringMatching(pattern)
        .filter((s) => s.length > 0)
        .map((s) => s.repeat(Math.ceil(Math.max(minLength, 1) / s.length)).slice(0, max))
        .filter((s) => pattern.test(s) && s.length >= minLength);
    }
    return fc.string({ minLength, maxLength, unit: 'grapheme' }).filter((s) => s.trim().length >= Math.min(minLength, 1));
  }

  /** A value that probes or breaks `raw`: built from a valid one, then bent. */
  hostile(raw: Schema): fc.Arbitrary<unknown> {
    const schema = this.resolve(raw);
    const properties = Object.keys((schema['properties'] as Record<string, Schema> | undefined) ?? {});
    const readOnly = properties.filter((p) => this.resolve((schema['properties'] as Record<string, Schema>)[p] as Schema)['readOnly'] === true);
    const base = this.valid(schema);
    const mutate = fc.oneof(
      // a field bent into an edge value
      fc.record({ field: properties.length ? fc.constantFrom(...properties) : fc.constant('x'), value: EDGE_VALUES }),
      // an unknown or read-only field
      fc.record({ field: fc.constantFrom('status', 'grossCents', 'role', 'id', '__proto__', 'constructor', ...readOnly), value: EDGE_VALUES }),
      // a required field dropped
      fc.record({ drop: properties.length ? fc.constantFrom(...properties) : fc.constant('x') }),
    );
    return fc.oneof({ weight: 6, arbitrary: fc.tuple(base, mutate).map(([value, m]) => bend(value, m)) }, { weight: 1, arbitrary: EDGE_VALUES });
  }
}

const UNICODE_EDGES = ['\u0000', 'a\u0000b', '\ud800', '\udfff x', '\u202e\u202d', '\u200b', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢', 'é'.normalize('NFD'), '\uFEFF', '🧾'.repeat(70)];

/** Values that break types and bounds. */
export const EDGE_VALUES: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(null, true, false, 0, -1, 1.5, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, 1e20, -1e20, '', ' ', '   \t', [], {}, [null], { a: 1 }),
  fc.constantFrom(...UNICODE_EDGES),
  fc.constantFrom('x'.repeat(1024), 'y'.repeat(20_000)),
  fc.string({ maxLength: 30, unit: 'binary' }),
  fc.integer(),
);

function bend(value: unknown, mutation: { field?: string; value?: unknown; drop?: string }): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return mutation.value ?? value;
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  if (mutation.drop !== undefined) delete copy[mutation.drop];
  else if (mutation.field !== undefined) copy[mutation.field] = mutation.value;
  return copy;
}

function mergeObjects(a: Schema, b: Schema): Schema {
  return {
    ...a,
    ...b,
    properties: { ...((a['properties'] as object | undefined) ?? {}), ...((b['properties'] as object | undefined) ?? {}) },
    required: [...((a['required'] as string[] | undefined) ?? []), ...((b['required'] as string[] | undefined) ?? [])],
  };
}

/**
 * A real cursor forged: its scope kept (so it passes the scope check), its values replaced by
 * adversarial ones (wrong types, out-of-range dates, malformed uuids, huge numbers, NUL, quotes),
 * some left as they were; now and then a value too many or too few.
 */
export function forgedCursor(cursor: string): fc.Arbitrary<string> {
  const values = openCursor(cursor).v;
  const value = (original: unknown) =>
    fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...ADVERSARIAL_CURSOR_VALUES) }, { weight: 1, arbitrary: fc.constant(original) });
  const forged = fc.tuple(...values.map(value)).filter((v) => v.some((x, i) => x !== values[i]));
  return fc
    .oneof({ weight: 8, arbitrary: forged }, { weight: 1, arbitrary: forged.map((v) => [...v, v[0]]) }, { weight: 1, arbitrary: forged.map((v) => v.slice(1)) })
    .map((v) => forgeCursor(cursor, v));
}
