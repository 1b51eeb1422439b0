import { expect } from 'chai';
import { centsToInput, MAX_PRICE_CENTS, parseEuroCents } from '../../../src/console/web/price';

describe('console price parsing (it-IT euros to cents)', () => {
  const cents = (text: string) => {
    const parsed = parseEuroCents(text);
    if (!parsed.ok) throw new Error(`${text} refused: ${parsed.reason}`);
    return parsed.cents;
  };

  it('reads cents exactly where float arithmetic would not (0,10 + 0,20 is 30 cents)', () => {
    expect(cents('0,10')).to.equal(10);
    expect(cents('0,20')).to.equal(20);
    expect(cents('0,10') + cents('0,20')).to.equal(30);
    expect(cents('1,15')).to.equal(115); // 1.15 * 100 = 114.99999999999999
    expect(cents('4,35')).to.equal(435); // 4.35 * 100 = 434.99999999999994
  });

  it('reads thousands dots, one decimal, no decimals, a trailing comma, spaces and the euro sign', () => {
    expect(cents('1.234,56')).to.equal(123456);
    expect(cents('1234,56')).to.equal(123456);
    expect(cents('12,3')).to.equal(1230);
    expect(cents('12')).to.equal(1200);
    expect(cents('12,')).to.equal(1200);
    expect(cents(' 12,99 € ')).to.equal(1299);
    expect(cents('1.000.000,00')).to.equal(MAX_PRICE_CENTS);
    expect(cents('0')).to.equal(0);
  });

  it('refuses what is not an it-IT amount, saying why', () => {
    const reason = (text: string) => {
      const parsed = parseEuroCents(text);
      return parsed.ok ? `accepted as ${parsed.cents}` : parsed.reason;
    };
    expect(reason('')).to.equal('empty');
    expect(reason('   ')).to.equal('empty');
    expect(reason('-1,00')).to.equal('negative');
    expect(reason('12,345')).to.equal('decimals');
    expect(reason('12.34')).to.equal('format'); // a dot is a thousands separator in Italian
    expect(reason('1.23,00')).to.equal('format');
    expect(reason('1,2,3')).to.equal('format');
    expect(reason('abc')).to.equal('format');
    expect(reason('1e3')).to.equal('format');
    expect(reason('0x10')).to.equal('format');
    expect(reason(',50')).to.equal('format');
    expect(reason('1.000.000,01')).to.equal('tooLarge');
    expect(reason('99999999999')).to.equal('tooLarge');
  });

  it('writes cents back as the user types them, and reads them back unchanged', () => {
    expect(centsToInput(10)).to.equal('0,10');
    expect(centsToInput(123456)).to.equal('1.234,56');
    expect(centsToInput(100000000)).to.equal('1.000.000,00');
    for (const value of [0, 1, 99, 100, 1299, 123456, 99999999]) expect(cents(centsToInput(value))).to.equal(value);
  });
});
