import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { asAdmin, createProduct, customer, operator, placeOrder } from '../../support/api';
import { client } from '../../support/client';
import { query } from '../../support/database';
import { fragmentTail, productListSql, runProductList, WORD_WINDOW, type ListStatement } from '../../../src/products/product-list.sql';

/** A tag of letters only, so it is one word to the Italian parser and a fragment of each SKU. */
const tag = () =>
  `t${randomUUID()
    .replace(/[^a-f]/g, '')
    .slice(0, 7)}`;

async function search(
  params: { q?: string; category?: string; sort?: 'name' | '-sku' | 'sku'; limit?: number; cursor?: string; lowStock?: boolean },
  token?: string,
) {
  const res = await client(token ?? (await asAdmin())).GET('/api/v1/products', { params: { query: { limit: 100, ...params } } });
  expect(res.response.status, JSON.stringify(res.error)).to.equal(200);
  return res.data!;
}
const names = (page: { items: { name: string }[] }) => page.items.map((p) => p.name);

describe('Product search: Italian words, SKU fragments, relevance', () => {
  it('finds Italian names by stemmed words without accents: penne, quaderni, caffe', async () => {
    const category = tag();
    for (const name of ['Penna a sfera blu', 'Quaderno a quadretti', 'Caffè in grani 1 kg', 'Risma carta A4']) await createProduct({ name, category });
    const buyer = await customer();
    expect(names(await search({ q: 'penne', category }, buyer.token))).to.deep.equal(['Penna a sfera blu']);
    expect(names(await search({ q: 'quaderni', category }, buyer.token))).to.deep.equal(['Quaderno a quadretti']);
    expect(names(await search({ q: 'caffe', category }, buyer.token))).to.deep.equal(['Caffè in grani 1 kg']);
    expect(names(await search({ q: 'CAFFÈ GRANI', category }, buyer.token))).to.deep.equal(['Caffè in grani 1 kg']);
    // Two characters: whole words only (A4), no fragments ("qu" is in two names, a word of none).
    expect(names(await search({ q: 'a4', category }, buyer.token))).to.deep.equal(['Risma carta A4']);
    expect(names(await search({ q: 'qu', category }, buyer.token))).to.deep.equal([]);
    // Three characters and more: fragments of the name, accents ignored.
    expect(names(await search({ q: 'quad', category }, buyer.token))).to.deep.equal(['Quaderno a quadretti']);
    expect(names(await search({ q: 'caffè in', category }, buyer.token))).to.deep.equal(['Caffè in grani 1 kg']);
  });

  it('takes fullwidth ％ ＿ ＼ literally, though unaccent folds them into LIKE wildcards', async () => {
    const category = tag();
    await createProduct({ name: 'Penna a sfera blu', category });
    await createProduct({ name: 'Quaderno a righe', category });
    const literal = await createProduct({ name: 'Sconto 50% sulle buste', category });
    for (const q of ['％％％', '＿＿＿', '＼＼＼', '﹪﹪﹪', 'a＿＿a']) {
      expect(names(await search({ q, category })), q).to.deep.equal([]);
    }
    // A fullwidth percent still finds the name that holds the character it folds to.
    expect(names(await search({ q: '50％ sul', category }))).to.deep.equal([literal.name]);
  });

  it('ranks the exact SKU first, then name matches, then SKU fragments, each by name; an explicit sort wins', async () => {
    const t = tag();
    const category = tag();
    const exact = await createProduct({ sku: `${t}-100`, name: 'Zeta', category });
    const fragmentA = await createProduct({ sku: `${t}-1000`, name: 'Alfa', category });
    const fragmentB = await createProduct({ sku: `${t}-1001`, name: 'Beta', category });
    const byName = await createProduct({ name: `Omega ${t}-100 ricambio`, category });
    await createProduct({ sku: `${t}-200`, name: 'Gamma', category });

    const ranked = await search({ q: `${t}-100` });
    expect(ranked.items.map((p) => p.id)).to.deep.equal([exact.id, byName.id, fragmentA.id, fragmentB.id]);
    const sorted = await search({ q: `${t}-100`, sort: '-sku' });
    expect(sorted.items.map((p) => p.sku)).to.deep.equal([`${t}-1001`, `${t}-1000`, `${t}-100`, byName.sku].sort().reverse());
    // A fragment of the SKU, in any case.
    expect(names(await search({ q: t.toUpperCase(), category }))).to.deep.equal(['Omega ' + `${t}-100 ricambio`, 'Alfa', 'Beta', 'Gamma', 'Zeta']);
  });

  it('pages through ranked results with no duplicates and no gaps, the cursor bound to its search', async () => {
    const t = tag();
    const made = [];
    made.push(await createProduct({ sku: `${t}`, name: 'Ultimo' }));
    for (let i = 0; i < 4; i += 1) made.push(await createProduct({ name: `Cartella ${t} ${i}` }));
    for (let i = 0; i < 4; i += 1) made.push(await createProduct({ sku: `${t}-${i}`, name: `Busta ${i}` }));
    const whole = (await search({ q: t })).items.map((p) => p.id);
    expect(whole).to.have.length(9);
    expect(whole[0]).to.equal(made[0]!.id);

    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await search({ q: t, limit: 2, ...(cursor ? { cursor } : {}) });
      paged.push(...page.items.map((p) => p.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(paged).to.deep.equal(whole);

    const first = await search({ q: t, limit: 2 });
    const reused = await client(await asAdmin()).GET('/api/v1/products', { params: { query: { q: `${t}-0`, cursor: first.nextCursor! } } });
    expect(reused.response.status).to.equal(400);
    expect(reused.error?.code).to.equal('invalid-cursor');
  });

  it('pages a common word in name order across pages: none missing, none twice, then the name fragments', async () => {
    const t = tag();
    const category = tag();
    const names = ['Zaino', 'cartella', 'Busta', 'busta', 'Àncora', 'Penna', 'quaderno', 'Risma'].map((n, i) => `${n} ${t}${i % 3 === 0 ? ' blu' : ''}`);
    const words = [];
    for (const name of names) words.push(await createProduct({ name, category }));
    words.push(await createProduct({ name: `Busta ${t}`, category }));
    const fragment = await createProduct({ name: `Cartellina ${t}x`, category });
    await createProduct({ name: 'Nessuna parola', category });
    const inNameOrder = (await query<{ id: string }>('SELECT id FROM products WHERE id = ANY($1) ORDER BY lower(name), id', [words.map((p) => p.id)])).map(
      (r) => r.id,
    );

    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await search({ q: t.toUpperCase(), category, limit: 3, ...(cursor ? { cursor } : {}) });
      paged.push(...page.items.map((p) => p.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(paged).to.deep.equal([...inNameOrder, fragment.id]);
    // Two words: every one of them, the rarer walked first.
    expect((await search({ q: `blu ${t}`, category })).items.map((p) => p.id)).to.have.members(words.filter((p) => p.name.endsWith(' blu')).map((p) => p.id));
  });

  it('pages a word and a filter that seldom meet: the walk, then past its window the GIN statement, then the end of the word', async () => {
    const t = tag();
    const category = tag();
    const total = WORD_WINDOW + 600;
    // Low on stock (on_hand 0 ≤ reorder 5): three near the start of the word's range, two far past the walk's window.
    const low = [10, 50, 90, WORD_WINDOW + 300, WORD_WINDOW + 500];
    await query(
      `INSERT INTO products (sku, name, category, unit_price_cents, on_hand, reorder_level)
       SELECT $1 || '-' || g, 'Blocco ' || $1 || ' ' || lpad(g::text, 5, '0'), $2, 100, CASE WHEN g = ANY($4::int[]) THEN 0 ELSE 100 END, 5
         FROM generate_series(1, $3::int) g`,
      [t, category, total, low],
    );
    try {
      const expected = (await query<{ id: string }>('SELECT id FROM products WHERE category = $1 AND low_stock ORDER BY lower(name), id', [category])).map(
        (r) => r.id,
      );
      expect(expected).to.have.length(low.length);
      const paged: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await search({ q: t, category, lowStock: true, limit: 2, ...(cursor ? { cursor } : {}) });
        paged.push(...page.items.map((p) => p.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(paged).to.deep.equal(expected);

      // The same pages through the builders, to see which statement answered each.
      const ran = async (after?: readonly [1, string, string]) => {
        const statements: ListStatement[] = [];
        const rows = await runProductList(
          productListSql({ limit: 2, lowStock: true, category, q: t, order: { by: 'relevance', ...(after ? { after } : {}) } }),
          2,
          async (s) => {
            statements.push(s);
            return query<{ id: string; name: string }>(s.text, s.values);
          },
        );
        return {
          ids: rows.map((r) => r.id),
          names: rows.map((r) => r.name.toLowerCase()),
          windowed: statements.filter((s) => s.windowed).length,
          statements: statements.length,
        };
      };
      // Page 1: the walk finds three matches within its window: it answers alone (tier 1 full, no later tiers).
      const first = await ran();
      expect(first).to.deep.include({ ids: expected.slice(0, 3), windowed: 1, statements: 2 });
      // A later page starts at its cursor's tier (no exact-SKU statement).
      // Page 2, after the second match: the walk finds one more, then uses up its window → the sorted GIN statement
      // answers (after the several-words leapfrog, which passes for one word).
      const second = await ran([1, first.names[1]!, first.ids[1]!]);
      expect(second).to.deep.include({ ids: expected.slice(2, 5), windowed: 2, statements: 3 });
      // Page 3, after the fourth: the word's range ends inside the window, so the walk's short answer is
      // complete (no GIN statement; tiers 2 and 3 then run, walk and sorted each, the page being short).
      const third = await ran([1, second.names[1]!, second.ids[1]!]);
      expect(third).to.deep.include({ ids: expected.slice(4), windowed: 1, statements: 1 + 2 + 2 });
    } finally {
      await query('DELETE FROM products WHERE category = $1', [category]);
    }
  });

  it('finds name and SKU fragments that end in a number through their tail, with the whole fragment checked', async () => {
    expect([
      fragmentTail('modello 999'),
      fragmentTail('SKU-00000500'),
      fragmentTail('SKU-00000'),
      fragmentTail('quaderno'),
      fragmentTail('00500'),
    ]).to.deep.equal(['o 999', '00500', undefined, undefined, undefined]);
    // Counted in characters, not UTF-16 units: the tail never starts inside a surrogate pair.
    expect(fragmentTail('xy😀1234')).to.equal('😀1234');
    const t = tag();
    const category = tag();
    const word = await createProduct({ name: `Pinza ${t} 999`, category });
    const fragment = await createProduct({ name: `Pinza ${t} 9990`, category });
    // The tail ("<last letter> 999") without the whole fragment: not a match.
    await createProduct({ name: `Pinza q${t.slice(-1)} 9995`, category });
    await createProduct({ name: `Pinza ${t} 1999`, category });
    expect((await search({ q: `${t} 999`, category })).items.map((p) => p.id)).to.deep.equal([word.id, fragment.id]);
    const sku = await createProduct({ sku: `${t}-00000500`, name: 'Graffette', category });
    await createProduct({ sku: `${t}-00100500`, name: 'Graffette grandi', category });
    expect((await search({ q: `${t}-00000500`.toUpperCase(), category })).items.map((p) => p.id)).to.deep.equal([sku.id]);
    expect((await search({ q: `${t.slice(2)}-00000500`, category })).items.map((p) => p.id)).to.deep.equal([sku.id]);
  });

  it('finds a renamed product by its new words only, and forgets a deleted one', async () => {
    const category = tag();
    const [before, after] = [tag(), tag()];
    const p = await createProduct({ name: `Cartella ${before}`, category });
    expect((await search({ q: before, category })).items.map((x) => x.id)).to.deep.equal([p.id]);
    const token = await asAdmin();
    const current = await client(token).GET('/api/v1/products/{id}', { params: { path: { id: p.id } } });
    const renamed = await client(token).PATCH('/api/v1/products/{id}', {
      params: { path: { id: p.id }, header: { 'If-Match': current.response.headers.get('etag') as string } },
      body: { name: `Quaderni ${after}` },
    });
    expect(renamed.response.status).to.equal(200);
    expect((await search({ q: before, category })).items).to.deep.equal([]);
    expect((await search({ q: 'cartella', category })).items).to.deep.equal([]);
    expect((await search({ q: `quaderno ${after}`, category })).items.map((x) => x.id)).to.deep.equal([p.id]);
    const stored = await query<{ lexeme: string; name_key: string }>(
      'SELECT lexeme, name_key FROM product_search_words WHERE product_id = $1 ORDER BY lexeme',
      [p.id],
    );
    expect(stored.map((r) => r.name_key)).to.deep.equal(stored.map(() => `quaderni ${after}`));
    expect(stored).to.have.length(2);

    expect((await client(token).DELETE('/api/v1/products/{id}', { params: { path: { id: p.id } } })).response.status).to.equal(204);
    expect(await query('SELECT 1 FROM product_search_words WHERE product_id = $1', [p.id])).to.deep.equal([]);
  });

  it('keeps the low-stock filter current as orders reserve and release stock (the generated low_stock column)', async () => {
    const category = tag();
    const p = await createProduct({ category, initialStock: 10, reorderLevel: 5 });
    expect((await search({ category, lowStock: true })).items).to.deep.equal([]);
    const buyer = await customer();
    const order = await placeOrder(buyer.token, [{ productId: p.id, quantity: 6 }]);
    expect(order.response.status).to.equal(201);
    expect((await search({ category, lowStock: true })).items.map((x) => x.id)).to.deep.equal([p.id]);
    expect((await query('SELECT low_stock FROM products WHERE id = $1', [p.id]))[0].low_stock).to.equal(true);
    const cancelled = await client(buyer.token).POST('/api/v1/orders/{id}/cancel', {
      params: { path: { id: order.data!.id } },
      body: { reason: 'changed my mind' },
    });
    expect(cancelled.response.status).to.equal(200);
    expect((await search({ category, lowStock: false })).items.map((x) => x.id)).to.deep.equal([p.id]);
    expect((await search({ category, lowStock: true })).items).to.deep.equal([]);
  });
});

describe('Order search by number', () => {
  it('finds an order by the start of its number or the whole, in any case, for staff and for its customer', async () => {
    const op = await operator();
    const buyer = await customer();
    const p = await createProduct();
    const order = (await placeOrder(buyer.token, [{ productId: p.id, quantity: 1 }])).data!;
    const find = async (q: string, token: string) => {
      const res = await client(token).GET('/api/v1/orders', { params: { query: { q, limit: 100 } } });
      expect(res.response.status).to.equal(200);
      return res.data!.items.map((o) => o.id);
    };
    for (const token of [op.token, buyer.token]) {
      expect(await find(order.number, token)).to.deep.equal([order.id]);
      expect(await find(order.number.toLowerCase(), token)).to.deep.equal([order.id]);
      expect(await find(order.number.slice(0, -1), token)).to.include(order.id);
    }
    // A fragment from the middle is not a prefix.
    expect(await find(order.number.slice(3), op.token)).to.not.include(order.id);
  });
});
