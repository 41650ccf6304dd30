// Holds a node:test TAP report of the consumer tests against a row of results/matrix.json,
// category by category: passed tests = the row's passed, failed tests = its failed + crashed.
// Usage: node against-matrix.mjs REPORT.tap MATRIX.json "IMPLEMENTATION NAME" (run where
// caveatspec-vectors is installed, which maps each test's id to its category).
import { readFileSync } from "node:fs";

import { vectors } from "caveatspec-vectors";

const [report, matrixPath, name] = process.argv.slice(2);
const category = new Map(vectors().map((v) => [v.id, v.category]));
const ours = new Map();
for (const m of readFileSync(report, "utf8").matchAll(/^(ok|not ok) \d+ - (\S+)( # SKIP)?/gm)) {
  const c = category.get(m[2]);
  if (c === undefined) continue; // a file's own test, not a vector
  const counts = ours.get(c) ?? ours.set(c, { passed: 0, failed: 0, skipped: 0 }).get(c);
  counts[m[3] ? "skipped" : m[1] === "ok" ? "passed" : "failed"] += 1;
}
const row = JSON.parse(readFileSync(matrixPath, "utf8")).implementations.find((i) => i.name === name);
if (!row) throw new Error(`no row ${JSON.stringify(name)} in ${matrixPath}`);
let differ = 0;
for (const cell of row.cells) {
  const got = ours.get(cell.category) ?? { passed: 0, failed: 0, skipped: 0 };
  const want = { passed: cell.passed, failed: cell.failed + cell.crashed };
  const same = got.passed === want.passed && got.failed === want.failed;
  if (!same) differ += 1;
  if (same && got.passed + got.failed === 0) continue;
  console.log(
    `${same ? "same" : "DIFFERS"} ${cell.category}: node:test ${got.passed} passed, ${got.failed} failed, ${got.skipped} skipped;` +
      ` matrix ${want.passed} passed, ${cell.failed} failed + ${cell.crashed} crashed, ${cell.unsupported} unsupported`,
  );
}
process.exit(differ === 0 ? 0 : 1);
