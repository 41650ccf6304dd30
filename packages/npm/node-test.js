// One node:test test per vector, judged against an expected-failure list, as the Rust crate's
// `Suite` and `tests!` do for `cargo test` (crates/vectors/src/harness.rs).
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { PER_PROFILE_KINDS, compare, expectedFor, load, vectors } from "./index.js";
import { parseExpectedFailures, testName } from "./list.js";

/**
 * Registers one `test()` per vector of `kind` (all kinds when omitted), named by its id (with
 * ` [<profile>]` only when `profile` is omitted and the kind has one expectation per profile,
 * so both profiles run). `fn(vector, profile)` answers in the vector's shape (`valid`, `codes`,
 * `message`, produced fields), may be async, and answers `null`/`undefined`, or `{ unsupported }`
 * as the adapter helpers do, when it does not implement the vector (the test is skipped).
 *
 * `expectedFailures`: a list's path, or the Map `parseExpectedFailures` reads from its text.
 * A listed vector that fails passes as an expected failure; one that passes fails ("remove it
 * from the list"); `fn` throwing is a failure like any other. `skipFlags`: flags whose vectors are skipped. `claims`: passed to `compare`.
 */
export function testVectors(options, fn) {
  const { kind, category, profile, expectedFailures, skipFlags = [], claims } = options ?? {};
  const list = readList(expectedFailures);
  const profiles = profile === undefined ? ["warehouse", "strict"] : [profile];
  for (const v of vectors({ kind, category })) {
    const skipFlag = v.flags.find((f) => skipFlags.includes(f));
    const perProfile = profiles.length > 1 && PER_PROFILE_KINDS.includes(v.kind);
    for (const p of perProfile ? profiles : profiles.slice(0, 1)) {
      const name = perProfile ? `${v.id} [${p}]` : v.id;
      const reason = list.get(testName(v.id, v.kind, p)) ?? list.get(v.id);
      const skip = skipFlag === undefined ? false : `skipped by flag ${skipFlag}`;
      test(name, { skip }, async (t) => {
        const expected = expectedFor(v, p);
        if (expected === undefined) return t.skip(`no expectation for profile ${p}`);
        let result;
        try {
          const got = await fn(v, p);
          if (got === null || got === undefined) return t.skip("not implemented");
          if (typeof got === "object" && Object.hasOwn(got, "unsupported")) {
            return t.skip(`unsupported${got.unsupported ? `: ${got.unsupported}` : ""}`);
          }
          result = compare(expected, got, p, claims);
        } catch (e) {
          result = { pass: false, why: `threw ${e?.name ?? "a value"}: ${String(e?.message ?? e).slice(0, 300)}` };
        }
        if (result.pass && reason !== undefined) {
          throw new Error(`passes, but is listed as an expected failure (${reason}): remove it from the list`);
        }
        if (!result.pass && reason === undefined) throw new Error(result.why);
        if (!result.pass) t.diagnostic(`expected failure (${reason}): ${result.why}`);
      });
    }
  }
}

function readList(expectedFailures) {
  if (expectedFailures === undefined) return new Map();
  if (expectedFailures instanceof Map) return expectedFailures;
  return parseExpectedFailures(readFileSync(expectedFailures), load());
}
