// node-postgres compatibility scenario of meshgate (test/clients/run.sh):
//
//   (cd test/clients/node && npm ci) && MG_HOST=… MG_PORT=… MG_USER=… MG_PASSWORD=… MG_DB=mesh node test/clients/node/compat.js
//
// Every check compares concrete values of the demo mesh; a failed check is
// reported and the scenario goes on; exit status 1 when any check failed.
'use strict';

const { Client } = require('pg');
const pgVersion = require('pg/package.json').version;
const { check, section, finish } = require('./check');

async function main() {
  const client = new Client({
    host: process.env.MG_HOST,
    port: Number(process.env.MG_PORT),
    user: process.env.MG_USER,
    password: process.env.MG_PASSWORD || undefined,
    database: process.env.MG_DB,
    application_name: 'meshgate-compat',
  });
  await client.connect();

  await section('parameters ($1 typed values, extended protocol)', async () => {
    const r = await client.query(
      'SELECT $1::int8 AS i8, $2::int4 AS i4, $3::text AS s, $4::numeric(10,2) AS n, $5::date AS d, ' +
        '$6::timestamptz AS tz, $7::boolean AS b, $8::text AS nul, $9::float8 AS f, $10::json AS j',
      ['9000000000', 42, "é 'quoted'", '1234.56', '2024-02-29', new Date('2024-03-01T12:30:15.123Z'), true, null, 0.25,
        JSON.stringify({ k: [1, 2] })],
    );
    check('row', {
      i8: '9000000000', i4: 42, s: "é 'quoted'", n: '1234.56', d: new Date(2024, 1, 29), tz: new Date('2024-03-01T12:30:15.123Z'),
      b: true, nul: null, f: 0.25, j: { k: [1, 2] },
    }, r.rows[0]);
  });

  await section('array parameters (sent as PostgreSQL array literals)', async () => {
    const r = await client.query('SELECT $1::text[] AS t, $2::int[] AS i', [['a', 'b,c', null], [1, 2]]);
    check('text[] and int[]', { t: ['a', 'b,c', null], i: [1, 2] }, r.rows[0]);
  });

  await section('product queries with parameters', async () => {
    const o = await client.query('SELECT order_id, amount FROM sales.orders WHERE customer_id = $1 AND order_date < $2 ORDER BY order_id LIMIT 2',
      [38, '2024-01-01']);
    check('orders of customer 38', [{ order_id: '100002', amount: '82.17' }, { order_id: '100402', amount: o.rows[1] && o.rows[1].amount }],
      o.rows.map((x) => ({ order_id: x.order_id, amount: x.amount })));
    // The same named prepared statement, executed repeatedly.
    for (let k = 0; k < 6; k++) {
      const p = await client.query({ name: 'by_code', text: 'SELECT name, population FROM geo.countries WHERE country_code = $1', values: ['DE'] });
      check(`named statement #${k}`, [{ name: 'Germany', population: p.rows[0] && p.rows[0].population }], p.rows);
    }
  });

  await section('type parsing of the products', async () => {
    const r = await client.query('SELECT order_id, customer_id, country_code, order_date, amount, status, created_at FROM sales.orders WHERE order_id = 100002');
    check('sales.orders row', {
      order_id: '100002', customer_id: '38', country_code: 'US', order_date: new Date(2023, 0, 30), amount: '82.17', status: 'paid',
      created_at: new Date('2023-01-30T01:00:07Z'),
    }, r.rows[0]);
    check('field type OIDs', [20, 20, 25, 1082, 1700, 25, 1184], r.fields.map((f) => f.dataTypeID));
    const s = await client.query('SELECT supplier_id, rating, active, categories FROM supply.suppliers WHERE supplier_id = 2');
    check('supply.suppliers row', { supplier_id: 2, rating: '4.9', active: true, categories: ['home', 'garden', 'toys'] }, s.rows[0]);
    const sh = await client.query('SELECT tracking_id, weight_kg, shipped_at FROM supply.shipments WHERE shipment_id = 500001');
    check('supply.shipments row', { tracking_id: '73e1a8b0-5c8f-4f22-a623-827cd3881947', weight_kg: 14.08, shipped_at: new Date('2023-03-30T03:00:21Z') },
      sh.rows[0]);
    const j = await client.query(`SELECT '{"a": [1, 2], "b": null}'::json AS j, ARRAY[1, 2, 3] AS ints, 1::smallint AS i2, NULL::int AS nul`);
    check('json, int[], smallint, NULL', { j: { a: [1, 2], b: null }, ints: [1, 2, 3], i2: 1, nul: null }, j.rows[0]);
  });

  await section("rowMode: 'array'", async () => {
    const r = await client.query({
      text: 'SELECT c.name, sum(o.amount) AS revenue, count(*) AS orders FROM sales.orders o JOIN geo.countries c USING (country_code) ' +
        'GROUP BY 1 ORDER BY 2 DESC LIMIT 2',
      rowMode: 'array',
    });
    check('rows', [['United States', '132066.25', '381'], ['United Kingdom', '98176.45', '280']], r.rows);
    check('field names', ['name', 'revenue', 'orders'], r.fields.map((f) => f.name));
  });

  await section('errors: code, and the connection survives', async () => {
    try {
      await client.query('SELECT * FROM sales.nonexistent');
      check('unknown product fails', 'error', 'no error');
    } catch (e) {
      check('unknown product code', '42P01', e.code);
    }
    try {
      await client.query('SELECT * FROM sales.orders WHERE order_id = $1', ['not a number']);
      check('bad parameter fails', 'error', 'no error');
    } catch (e) {
      check('bad parameter code', '22P02', e.code);
    }
    const r = await client.query('SELECT count(*)::int AS n FROM geo.countries');
    check('after errors', [{ n: 20 }], r.rows);
  });

  await section('multi-statement simple query', async () => {
    const r = await client.query("SET application_name = 'compat-multi'; SELECT count(*) AS n FROM geo.regions; SELECT current_setting('application_name') AS a");
    check('3 results', 3, r.length);
    check('SET command', 'SET', r[0] && r[0].command);
    check('count', [{ n: '5' }], r[1] && r[1].rows);
    check('setting', [{ a: 'compat-multi' }], r[2] && r[2].rows);
  });

  await section('transaction', async () => {
    await client.query('BEGIN READ ONLY');
    const r = await client.query('SELECT count(*)::int AS n FROM sales.customers');
    await client.query('COMMIT');
    // analyst has region EU: the sales domain's row filter shows EU customers only (90 of 200).
    check('customers in a transaction', [{ n: 90 }], r.rows);
  });

  await client.end();
  finish(`pg ${pgVersion} (node ${process.version})`);
}

main().catch((e) => {
  console.log(`FAIL ${e.stack}`);
  process.exitCode = 1;
});
