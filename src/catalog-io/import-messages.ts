/**
 * The messages of an import's row errors, in the two languages of the console. The API answers in
 * the language `Accept-Language` prefers among these (English when it names neither).
 */
export type Lang = 'it' | 'en';

export type RowProblem =
  | { kind: 'unknown-column'; known: string }
  | { kind: 'duplicate-column' }
  | { kind: 'missing-sku-column' }
  | { kind: 'price-column-dialect'; dialect: string }
  | { kind: 'cell-count'; expected: number; found: number }
  | { kind: 'unclosed-quote' }
  | { kind: 'required' }
  | { kind: 'sku' }
  | { kind: 'duplicate-sku'; firstRow: number }
  | { kind: 'duplicate-barcode'; firstRow: number }
  | { kind: 'text-too-long'; max: number }
  | { kind: 'control-characters' }
  | { kind: 'price-excel' }
  | { kind: 'price-cents' }
  | { kind: 'integer'; min: number; max: number }
  | { kind: 'vat-rate' }
  | { kind: 'boolean' }
  | { kind: 'barcode'; why: string }
  | { kind: 'barcode-taken' }
  | { kind: 'new-needs'; column: string }
  | { kind: 'below-reserved'; reserved: number };

export function messageOf(p: RowProblem, lang: Lang): string {
  const it = lang === 'it';
  switch (p.kind) {
    case 'unknown-column':
      return it ? `colonna sconosciuta; le colonne ammesse sono: ${p.known}` : `unknown column; the columns are: ${p.known}`;
    case 'duplicate-column':
      return it ? 'colonna ripetuta nell’intestazione' : 'the header names this column twice';
    case 'missing-sku-column':
      return it ? 'manca la colonna sku, che identifica ogni prodotto' : 'the sku column, which identifies each product, is missing';
    case 'price-column-dialect':
      return it
        ? `la colonna price (euro con la virgola) vale solo per il formato excel-it; in ${p.dialect} usa priceCents`
        : `the price column (euro with a decimal comma) is for the excel-it dialect; in ${p.dialect} use priceCents`;
    case 'cell-count':
      return it ? `la riga ha ${p.found} celle, l’intestazione ${p.expected}` : `the row has ${p.found} cells, the header ${p.expected}`;
    case 'unclosed-quote':
      return it ? 'una virgoletta aperta non viene mai chiusa' : 'a quote is opened and never closed';
    case 'required':
      return it ? 'obbligatorio' : 'required';
    case 'sku':
      return it
        ? 'SKU non valido: da 1 a 64 lettere, cifre, punti, trattini o trattini bassi'
        : 'not a valid SKU: 1 to 64 letters, digits, dots, hyphens or underscores';
    case 'duplicate-sku':
      return it ? `SKU già presente alla riga ${p.firstRow}` : `this SKU is already on row ${p.firstRow}`;
    case 'duplicate-barcode':
      return it ? `codice a barre già presente alla riga ${p.firstRow}` : `this barcode is already on row ${p.firstRow}`;
    case 'text-too-long':
      return it ? `troppo lungo: al massimo ${p.max} caratteri` : `too long: at most ${p.max} characters`;
    case 'control-characters':
      return it ? 'non può contenere a capo o caratteri di controllo' : 'must not contain line breaks or control characters';
    case 'price-excel':
      return it
        ? 'prezzo non valido: euro con la virgola, ad es. 1.234,56 (al massimo 1.000.000,00)'
        : 'not a valid price: euro with a decimal comma, e.g. 1.234,56 (at most 1.000.000,00)';
    case 'price-cents':
      return it ? 'prezzo non valido: un intero di centesimi da 0 a 100000000' : 'not a valid price: whole cents from 0 to 100000000';
    case 'integer':
      return it ? `numero non valido: un intero da ${p.min} a ${p.max}` : `not a valid number: a whole number from ${p.min} to ${p.max}`;
    case 'vat-rate':
      return it ? 'aliquota IVA non valida: usa 0, 4, 5, 10 o 22' : 'not a valid VAT rate: use 0, 4, 5, 10 or 22';
    case 'boolean':
      return it ? 'valore non valido: usa true o false (anche sì/no)' : 'not a valid value: use true or false (also yes/no)';
    case 'barcode':
      return it ? `codice a barre non valido (${p.why})` : `not a valid barcode (${p.why})`;
    case 'barcode-taken':
      return it ? 'un altro prodotto ha già questo codice a barre' : 'another product already has this barcode';
    case 'new-needs':
      return it ? `il prodotto è nuovo: serve la colonna ${p.column}` : `the product is new: it needs the ${p.column} column`;
    case 'below-reserved':
      return it ? `giacenza sotto i ${p.reserved} pezzi riservati dagli ordini` : `stock below the ${p.reserved} units reserved by orders`;
  }
}

/** The language `Accept-Language` prefers among it and en (by q-value, then order); en by default. */
export function langOf(acceptLanguage: string | undefined): Lang {
  if (!acceptLanguage) return 'en';
  const ranked = acceptLanguage
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { tag: tag.trim().toLowerCase(), q: q ? Number(q.slice(2)) : 1, index };
    })
    .filter((l) => Number.isFinite(l.q) && l.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const l of ranked) {
    if (l.tag === 'it' || l.tag.startsWith('it-')) return 'it';
    if (l.tag === 'en' || l.tag.startsWith('en-')) return 'en';
  }
  return 'en';
}
