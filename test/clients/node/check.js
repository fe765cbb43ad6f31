// Check helpers of the node scenarios (compat.js, compat_postgresjs.js): a
// failed check is reported and the scenario goes on; finish() prints the
// totals and sets the exit status.
'use strict';

const assert = require('node:assert');

const counts = { ok: 0, failed: 0 };

function check(what, want, got) {
  try {
    assert.deepStrictEqual(got, want);
    counts.ok++;
  } catch (e) {
    counts.failed++;
    console.log(`FAIL ${what}: want ${JSON.stringify(want)} got ${JSON.stringify(got)}`);
  }
}

async function section(name, fn) {
  const before = counts.failed;
  try {
    await fn();
  } catch (e) {
    counts.failed++;
    console.log(`FAIL ${name}: ${e.message}${e.code ? ` (SQLSTATE ${e.code})` : ''}`);
  }
  console.log(`${counts.failed === before ? 'ok  ' : 'FAIL'} ${name}`);
}

function finish(versions) {
  console.log(`${versions}: ${counts.ok} checks ok, ${counts.failed} failed`);
  process.exitCode = counts.failed === 0 ? 0 : 1;
}

module.exports = { check, section, finish };
