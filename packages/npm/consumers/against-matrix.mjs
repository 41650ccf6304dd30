// Holds a node:test TAP report of one consumer's tests against a row of results/matrix.json,
// category by category: passed tests = the row's passed, failed tests = its failed + crashed,
// and the failing tests' ids = the ids of the row's failures.
// Usage: node against-matrix.mjs REPORT.tap MATRIX.json ADAPTER-ID (the row's id, as in
// adapters/adapters.json; run where caveatspec-vectors is installed, which maps each test's id
// to its category).
import { readFileSync } from "node:fs";

import { vectors } from "caveatspec-vectors";

const [report, matrixPath, id] = process.argv.slice(2);
const category = new Map(vectors().map((v) => [v.id, v.category]));
const ours = new Map();
for (const m of readFileSync(report, "utf8").matchAll(/^(ok|not ok) \d+ - (\S+)( # SKIP)?/gm)) {
  const c = category.get(m[2]);
  if (c === undefined) continue; // a file's own test, not a vector
  const counts = ours.get(c) ?? ours.set(c, { passed: 0, failed: 0, skipped: 0, failing: new Set() }).get(c);
  const result = m[3] ? "skipped" : m[1] === "ok" ? "passed" : "failed";
  counts[result] += 1;
  if (result === "failed") counts.failing.add(m[2]);
}
const row = JSON.parse(readFileSync(matrixPath, "utf8")).implementations.find((i) => i.id === id);
if (!row) throw new Error(`no row ${JSON.stringify(id)} in ${matrixPath}`);
let differ = 0;
for (const cell of row.cells) {
  const got = ours.get(cell.category) ?? { passed: 0, failed: 0, skipped: 0, failing: new Set() };
  const want = { passed: cell.passed, failed: cell.failed + cell.crashed, failing: new Set(cell.failures.map((f) => f.id)) };
  // The same counts, and the same vectors failing.
  const onlyOurs = [...got.failing].filter((v) => !want.failing.has(v));
  const onlyMatrix = [...want.failing].filter((v) => !got.failing.has(v));
  const same = got.passed === want.passed && got.failed === want.failed && onlyOurs.length + onlyMatrix.length === 0;
  if (!same) differ += 1;
  if (same && got.passed + got.failed === 0) continue;
  console.log(
    `${same ? "same" : "DIFFERS"} ${cell.category}: node:test ${got.passed} passed, ${got.failed} failed, ${got.skipped} skipped;` +
      ` matrix ${want.passed} passed, ${cell.failed} failed + ${cell.crashed} crashed, ${cell.unsupported} unsupported`,
  );
  if (onlyOurs.length > 0) console.log(`  failing here only: ${onlyOurs.join(" ")}`);
  if (onlyMatrix.length > 0) console.log(`  failing in the matrix only: ${onlyMatrix.join(" ")}`);
}
process.exit(differ === 0 ? 0 : 1);
