// postgres.js (porsager/postgres 3.4) and knex (3.1, over node-postgres)
// compatibility scenarios of meshgate (test/clients/run.sh):
//
//   node test/clients/node/compat_postgresjs.js postgresjs
//   node test/clients/node/compat_postgresjs.js knex
//
// postgres.js speaks the extended protocol with named prepared statements
// and fetches the array types from pg_type on connect; knex builds its
// SQL (query builder, raw ? bindings, columnInfo's information_schema
// query). Every answer is compared with what node-postgres reads for the
// same user and statement; a failed check is reported and the scenario
// goes on; exit status 1 when any check failed.
'use strict';

const { Client } = require('pg');
const checks = require('./check');

const { section } = checks;

// check compares after norm.
function check(what, want, got) {
  checks.check(what, norm(want), norm(got));
}

// norm makes rows of either client comparable: plain objects, dates as
// ISO strings, buffers as hex.
function norm(v) {
  if (v instanceof Date) return v.toISOString();
  if (Buffer.isBuffer(v)) return `\\x${v.toString('hex')}`;
  if (Array.isArray(v)) return v.map(norm);
  if (v && typeof v === 'object') {
    const o = {};
    for (const k of Object.keys(v)) o[k] = norm(v[k]);
    return o;
  }
  return v;
}

const conn = {
  host: process.env.MG_HOST,
  port: Number(process.env.MG_PORT),
  user: process.env.MG_USER,
  password: process.env.MG_PASSWORD,
  database: process.env.MG_DB,
};

async function errorCode(fn) {
  try {
    await fn();
  } catch (e) {
    return e.code;
  }
  return 'no error';
}

async function postgresjs(ref) {
  const postgres = require('postgres');
  const sql = postgres({ ...conn, ssl: false, max: 1, connect_timeout: 10 });
  try {
    await section('queries and parameters (named prepared statements)', async () => {
      const want = (await ref.query('SELECT order_id, customer_id, country_code, amount, status FROM sales.orders ORDER BY order_id LIMIT 20')).rows;
      check('orders', want, [...await sql`SELECT order_id, customer_id, country_code, amount, status FROM sales.orders ORDER BY order_id LIMIT 20`]);
      const cc = 'DE';
      check('where country_code = $1', (await ref.query('SELECT count(*) FROM sales.orders WHERE country_code = $1', [cc])).rows,
        [...await sql`SELECT count(*) FROM sales.orders WHERE country_code = ${cc}`]);
      check('the same statement again', (await ref.query('SELECT count(*) FROM sales.orders WHERE country_code = $1', ['FR'])).rows,
        [...await sql`SELECT count(*) FROM sales.orders WHERE country_code = ${'FR'}`]);
      check('select $1 (untyped, text)', [{ x: 'hello' }], [...await sql`SELECT ${'hello'} AS x`]);
      check('masked customers', (await ref.query('SELECT * FROM sales.customers ORDER BY customer_id LIMIT 5')).rows,
        [...await sql`SELECT * FROM sales.customers ORDER BY customer_id LIMIT 5`]);
      // (postgres.js 3.4 reads a NULL array element as 'NULL' or NaN, from PostgreSQL too)
      check('arrays, bytea, null', (await ref.query("SELECT ARRAY['x', 'y z']::text[] AS a, '\\x00ff'::bytea AS b, NULL::text AS n")).rows,
        [...await sql`SELECT ARRAY['x', 'y z']::text[] AS a, '\\x00ff'::bytea AS b, NULL::text AS n`]);
    });
    await section('catalog', async () => {
      const q = "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2";
      check('information_schema.tables', (await ref.query(q)).rows, [...await sql.unsafe(q)]);
      const rel = "SELECT c.relname, c.oid::regclass::text AS r FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'sales' ORDER BY 1";
      check('pg_class with regclass', (await ref.query(rel)).rows, [...await sql.unsafe(rel)]);
    });
    await section('errors carry the SQLSTATE; the connection goes on', async () => {
      check('ungranted product', '42501', await errorCode(() => sql`SELECT * FROM meshgate.audit`));
      check('unknown product', '42P01', await errorCode(() => sql`SELECT * FROM sales.nope`));
      check('after the errors', [{ one: 1 }], [...await sql`SELECT 1 AS one`]);
    });
    await section('read-only transaction with a savepoint', async () => {
      const got = await sql.begin('read only', async (tx) => {
        await tx.savepoint(async (sp) => sp`SELECT 1`);
        return [...await tx`SELECT count(*) FROM sales.orders`];
      });
      check('count in the transaction', (await ref.query('SELECT count(*) FROM sales.orders')).rows, got);
    });
  } finally {
    await sql.end({ timeout: 5 });
  }
  const pkg = JSON.parse(require('node:fs').readFileSync(require('node:path').join(__dirname, 'node_modules/postgres/package.json'), 'utf8'));
  return `postgres.js ${pkg.version}`;
}

async function knexScenario(ref) {
  const knex = require('knex')({ client: 'pg', connection: { ...conn, ssl: false }, pool: { min: 0, max: 1 } });
  try {
    await section('query builder', async () => {
      check('select … where … orderBy … limit', (await ref.query('SELECT order_id, amount FROM sales.orders WHERE status = $1 ORDER BY order_id LIMIT 10', ['paid'])).rows,
        await knex.withSchema('sales').from('orders').select('order_id', 'amount').where('status', 'paid').orderBy('order_id').limit(10));
      check('count and groupBy', (await ref.query('SELECT country_code, count(*) AS n FROM sales.orders GROUP BY country_code ORDER BY country_code')).rows,
        await knex('sales.orders').select('country_code').count('* as n').groupBy('country_code').orderBy('country_code'));
      check('join across domains', (await ref.query('SELECT c.name, count(*) AS n FROM sales.orders o JOIN geo.countries c ON c.country_code = o.country_code GROUP BY c.name ORDER BY c.name')).rows,
        await knex('sales.orders as o').join('geo.countries as c', 'c.country_code', 'o.country_code').select('c.name').count('* as n').groupBy('c.name').orderBy('c.name'));
      check("raw('select ?')", { x: 'hi' }, (await knex.raw('select ? as x', ['hi'])).rows[0]);
    });
    await section('columnInfo (information_schema.columns)', async () => {
      const info = await knex('orders').withSchema('sales').columnInfo();
      const want = (await ref.query("SELECT column_name FROM information_schema.columns WHERE table_schema = 'sales' AND table_name = 'orders' ORDER BY ordinal_position")).rows.map((r) => r.column_name);
      check('columns', want, Object.keys(info));
      check('a type', true, typeof info.order_id.type === 'string' && info.order_id.type.length > 0);
    });
    await section('errors', async () => {
      check('ungranted product', '42501', await errorCode(() => knex('meshgate.audit').select('*')));
    });
  } finally {
    await knex.destroy();
  }
  return `knex ${require('knex/package.json').version}`;
}

async function main() {
  const which = process.argv[2];
  const ref = new Client({ ...conn, ssl: false });
  await ref.connect();
  let versions;
  try {
    versions = which === 'knex' ? await knexScenario(ref) : await postgresjs(ref);
  } finally {
    await ref.end();
  }
  checks.finish(versions);
}

main().catch((e) => {
  console.log(`FAIL ${e.stack}`);
  process.exit(1);
});
