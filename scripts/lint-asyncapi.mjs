// `make lint` gate for the AsyncAPI contract: @asyncapi/parser (with its built-in Spectral rules)
// must report no error and no warning (information and hints are printed, e.g. that 3.1.0 exists:
// the document stays 3.0.0 for the HTML template of `make generate-event-docs`).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Parser } from '@asyncapi/parser';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const file = path.join(root, 'asyncapi/asyncapi.yaml');
const SEVERITY = ['error', 'warning', 'info', 'hint'];

const { document, diagnostics } = await new Parser().parse(readFileSync(file, 'utf8'), { source: file });
for (const d of diagnostics) {
  const line = (d.range?.start?.line ?? 0) + 1;
  console.log(`asyncapi/asyncapi.yaml:${line} ${SEVERITY[d.severity] ?? d.severity} ${d.code}: ${d.message} (${d.path.join('.')})`);
}
const failing = diagnostics.filter((d) => d.severity <= 1);
if (!document || failing.length > 0) {
  console.log(`@asyncapi/parser: ${failing.length} error(s) or warning(s)`);
  process.exit(1);
}
console.log('@asyncapi/parser: asyncapi/asyncapi.yaml has no errors or warnings');
