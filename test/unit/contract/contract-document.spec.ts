import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { compileContractSchema, documentedCodes } from '../../support/contract-observer';

type Json = Record<string, any>;

const spec = JSON.parse(readFileSync(path.join(__dirname, '../../../generated/openapi.json'), 'utf8')) as Json;

function resolve(node: Json | undefined): Json | undefined {
  let current = node;
  while (current && typeof current['$ref'] === 'string') {
    current = (current['$ref'] as string)
      .replace(/^#\//, '')
      .split('/')
      .reduce<Json | undefined>((at, key) => at?.[key], spec);
  }
  return current;
}

interface MediaType {
  where: string;
  schema: Json;
  examples: { name: string; value: unknown }[];
}

/** Every request body and response media type of every operation (and the 405 of every path). */
function mediaTypes(): MediaType[] {
  const out: MediaType[] = [];
  const add = (where: string, content: Json | undefined) => {
    for (const [type, media] of Object.entries<Json>(content ?? {})) {
      const examples = Object.entries<Json>(media['examples'] ?? {}).map(([name, ex]) => ({ name, value: resolve(ex)?.['value'] }));
      if ('example' in media) examples.push({ name: 'example', value: media['example'] });
      out.push({ where: `${where} ${type}`, schema: media['schema'], examples });
    }
  };
  for (const [p, item] of Object.entries<Json>(spec['paths'])) {
    for (const [method, op] of Object.entries<Json>(item)) {
      if (method === 'parameters') continue;
      add(`${op['operationId']} request`, resolve(op['requestBody'])?.['content']);
      for (const [status, response] of Object.entries<Json>(op['responses']))
        add(`${op['operationId']} ${status} (${method} ${p})`, resolve(response)?.['content']);
    }
  }
  add('405 of every path', spec['x-every-path-responses']['405']['content']);
  return out;
}

function operations(): Json[] {
  return Object.values<Json>(spec['paths']).flatMap((item) =>
    Object.entries<Json>(item)
      .filter(([m]) => m !== 'parameters')
      .map(([, op]) => op),
  );
}

describe('Contract document', () => {
  it('gives every request body and response body at least one example', () => {
    const missing = mediaTypes()
      .filter((m) => m.examples.length === 0)
      .map((m) => m.where);
    expect(missing).to.deep.equal([]);
  });

  it('has every example valid against its schema', () => {
    const invalid: string[] = [];
    for (const media of mediaTypes()) {
      const validate = compileContractSchema(media.schema);
      for (const example of media.examples) {
        if (!validate(example.value)) invalid.push(`${media.where} / ${example.name}: ${JSON.stringify(validate.errors)}`);
      }
    }
    expect(invalid).to.deep.equal([]);
  });

  it('lists the problem codes of every error response, each with an example', () => {
    const unlisted: string[] = [];
    for (const op of operations()) {
      for (const [status, response] of Object.entries<Json>(op['responses'])) {
        if (Number(status) < 400 || !resolve(response)?.['content']?.['application/problem+json']) continue;
        const codes = documentedCodes(response) ?? [];
        const exampled = Object.keys(resolve(response)?.['content']['application/problem+json']['examples'] ?? {});
        if (codes.length === 0 || codes.some((c) => !exampled.includes(c))) unlisted.push(`${op['operationId']} ${status}`);
      }
    }
    expect(unlisted).to.deep.equal([]);
  });

  it('describes every operation and parameter', () => {
    const bare: string[] = [];
    for (const op of operations()) {
      if (!op['description']) bare.push(op['operationId']);
      for (const parameter of (op['parameters'] ?? []).map((x: Json) => resolve(x) as Json)) {
        if (!parameter['description']) bare.push(`${op['operationId']} ${parameter['name']}`);
      }
    }
    expect(bare).to.deep.equal([]);
  });

  it('gives generated clients a base URL to start from', () => {
    expect(spec['servers'][0]['variables']['baseUrl']['default']).to.equal('http://localhost:3000');
  });
});
