import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

/** Runs a node:test file and gives each test's name → "ok", "not ok" or "skip", with the output. */
function run(file) {
  const path = fileURLToPath(new URL(file, import.meta.url));
  // Without the parent runner's context, the child reports on its own as a user's run does.
  const { NODE_TEST_CONTEXT, ...env } = process.env;
  const r = spawnSync(process.execPath, ["--test", "--test-reporter=tap", path], { encoding: "utf8", env });
  const results = new Map();
  for (const m of r.stdout.matchAll(/^(ok|not ok) \d+ - (.+?)(?: # SKIP.*)?$/gm)) {
    results.set(m[2], / # SKIP/.test(m[0]) ? "skip" : m[1]);
  }
  return { status: r.status, results, output: r.stdout };
}

test("testVectors: one test per vector, judged against the expected-failure list", () => {
  const { status, results, output } = run("fixtures/minting.mjs");
  assert.equal(status, 1);
  assert.equal(results.size, 23);
  assert.equal(results.get("mint/bare"), "ok", "a listed failure passes");
  assert.equal(results.get("mint/display-name"), "ok", "a listed vector that throws passes");
  assert.equal(results.get("mint/empty-location"), "not ok", "a listed vector that passes fails");
  assert.match(output, /listed as an expected failure \(said to fail, but passes\): remove it from the list/);
  assert.equal(results.get("mint/user-token"), "not ok", "an unlisted failure fails");
  assert.equal(results.get("mint/everything"), "skip", "an answer of null is not implemented");
  assert.equal(results.get("mint/bind-jkt"), "skip", "an unsupported answer is not implemented");
  assert.match(output, /# SKIP unsupported: no key-binding caveat/);
  assert.equal(results.get("mint/large-expiry"), "skip", "skipped by flag");
});

test("testVectors: a bad expected-failure list stops the file before any test", () => {
  const { status, results, output } = run("fixtures/bad-list.mjs");
  assert.notEqual(status, 0);
  assert.equal(results.get("mint/bare"), undefined);
  assert.match(output, /line 2: no vector has the id "mint\/no-such-vector"/);
});
