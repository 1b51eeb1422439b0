import { expect } from 'chai';
import { CsvRecordTooLong, CsvUnclosedQuote, csvRecords, detectDialect, euroOfCents, neutralise, unneutralise } from '../../../src/catalog-io/csv';
import { langOf } from '../../../src/catalog-io/import-messages';

const records = (text: string, sep = ';', max = 1000) => [...csvRecords(text, sep, max)].map((r) => [r.number, r.cells]);

describe('CSV: reading, formula cells, dialects (issue 30)', () => {
  it('reads quoted cells with separators, doubled quotes and line breaks, and every line ending', () => {
    expect(records('a;"b;c";"d ""e"""\r\n"x\r\ny";2\n3\r4')).to.deep.equal([
      [1, ['a', 'b;c', 'd "e"']],
      [2, ['x\r\ny', '2']],
      [3, ['3']],
      [4, ['4']],
    ]);
    expect(records('a;;\r\n')).to.deep.equal([[1, ['a', '', '']]]);
  });

  it('stops at a record longer than the limit and at a quote that never closes', () => {
    expect(() => records('x'.repeat(2000))).to.throw(CsvRecordTooLong);
    expect(() => records(`a\r\n"${'x'.repeat(2000)}`)).to.throw(CsvRecordTooLong);
    expect(() => records('a\r\n"open;b\r\n')).to.throw(CsvUnclosedQuote);
  });

  it('neutralises formula cells with one quote and restores exactly the original text', () => {
    const texts = ['=HYPERLINK("x")', '+39 011', '-10% sconto', '@SUM', '\tTab', "'=already", "''-two", "'plain", 'Caffè', ''];
    for (const text of texts) expect(unneutralise(neutralise(text)), text).to.equal(text);
    expect(neutralise('=1+1')).to.equal("'=1+1");
    expect(neutralise("'=1")).to.equal("''=1");
    expect(neutralise("'plain")).to.equal("'plain");
    expect(unneutralise("'plain")).to.equal("'plain");
  });

  it('detects the dialect by the separators of the header outside quotes, a BOM only breaking a tie; writes euro with a decimal comma', () => {
    // A BOM only breaks a tie: Excel English and LibreOffice write "CSV UTF-8" with a BOM and commas.
    expect(detectDialect('\uFEFFsku,name,priceCents\r\n')).to.equal('rfc4180');
    expect(detectDialect('\uFEFFsku;name;price\r\n')).to.equal('excel-it');
    expect(detectDialect('\uFEFFsku\r\nA-1\r\n')).to.equal('excel-it');
    expect(detectDialect('sku\r\nA-1\r\n')).to.equal('rfc4180');
    // Separators inside quotes are text, and only the header (the first record) counts.
    expect(detectDialect('"sku,a,b,c";name\r\nx,y,z,w\r\n')).to.equal('excel-it');
    expect(detectDialect('sku,name\r\na;b;c;d\r\n')).to.equal('rfc4180');
    expect(detectDialect('sku;name;price\r\n')).to.equal('excel-it');
    expect(detectDialect('sku,name,"a;b;c"\r\n')).to.equal('rfc4180');
    expect([euroOfCents(123456), euroOfCents(5), euroOfCents(0)]).to.deep.equal(['1234,56', '0,05', '0,00']);
  });

  it('answers in the language Accept-Language prefers among it and en', () => {
    expect(langOf('it-IT,it;q=0.9,en;q=0.8')).to.equal('it');
    expect(langOf('en;q=0.5, it;q=0.9')).to.equal('it');
    expect(langOf('de-DE, en;q=0.7, it;q=0.3')).to.equal('en');
    expect(langOf(undefined)).to.equal('en');
    expect(langOf('fr')).to.equal('en');
  });
});
