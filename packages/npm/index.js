// caveatspec-vectors: the shipped vector files, and the rules for holding an answer to them
// (the same as the Rust crate's `expected_for` and `compare`, crates/vectors/src/runner.rs).
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { ADAPTER_CODE_PREFIX } from "./adapter.js";

export { parseExpectedFailures, ListError, testName } from "./list.js";

/** The kinds whose vectors carry one expectation per profile. */
export const PER_PROFILE_KINDS = Object.freeze(["decode", "caveat", "verify"]);
/** Every profile, in the order reports list them. */
export const PROFILES = Object.freeze(["warehouse", "strict"]);

const dir = new URL("./vectors/", import.meta.url);
let cache;

/** Every vector file shipped in the package, in file-name order (parsed once, then shared). */
export function load() {
  if (!cache) {
    cache = readdirSync(fileURLToPath(dir))
      .filter((f) => f.endsWith(".json"))
      .sort()
      .map((f) => Object.freeze(JSON.parse(readFileSync(new URL(f, dir), "utf8"))));
    Object.freeze(cache);
  }
  return cache;
}

/**
 * The vectors of every file, with their file's category, narrowed by `kind`, `category` and
 * `flags` (a vector must carry every flag listed); each filter may be one value or a list.
 */
export function vectors({ kind, category, flags } = {}) {
  const one = (want, got) => want === undefined || [want].flat().includes(got);
  const wanted = flags === undefined ? [] : [flags].flat();
  return load().flatMap((file) =>
    one(category, file.category)
      ? file.vectors
          .filter((v) => one(kind, v.kind) && wanted.every((f) => v.flags.includes(f)))
          .map((v) => ({ ...v, category: file.category }))
      : [],
  );
}

function checkProfile(profile) {
  if (!PROFILES.includes(profile)) {
    throw new TypeError(`unknown profile ${JSON.stringify(profile)} (expected "warehouse" or "strict")`);
  }
}

/**
 * The expectation `vector` sets for `profile`: its `expected[profile]` for the per-profile
 * kinds (decode, caveat, verify), else its one `expected`; `undefined` when it sets none.
 */
export function expectedFor(vector, profile) {
  checkProfile(profile);
  return PER_PROFILE_KINDS.includes(vector.kind) ? vector.expected[profile] : vector.expected;
}

/** The classes a basis falls in (SPEC §7.2). */
export const BASIS_CLASSES = Object.freeze(["rfc", "pypi", "atr", "policy", "open"]);

/**
 * The basis of the expectation `vector` sets for `profile`: `{ source, ref }` or
 * `{ source: "policy", reason, open? }`; per profile for decode, caveat and verify.
 */
export function basisFor(vector, profile) {
  checkProfile(profile);
  return PER_PROFILE_KINDS.includes(vector.kind) ? vector.basis[profile] : vector.basis;
}

/** The class a report counts a basis under: its source, or `open` for a policy naming what the RFCs leave open. */
export function basisClass(basis) {
  if (basis.source === "policy" && Object.hasOwn(basis, "open")) return "open";
  if (!BASIS_CLASSES.includes(basis.source)) throw new TypeError(`unknown basis source ${JSON.stringify(basis.source)}`);
  return basis.source;
}

/** Structural equality of JSON values (object member order does not matter). */
function same(a, b) {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && same(a[k], b[k]));
}

const MAX_SHOWN = 300;
/** JSON text of a value, cut at MAX_SHOWN characters so a hostile answer cannot flood a report. */
function shown(v) {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > MAX_SHOWN ? `${s.slice(0, MAX_SHOWN)}…` : s;
}

/**
 * Compares an answer with an expectation, both in the vector's shape: `valid`, then `codes` in
 * order, then (warehouse profile, when both have one) `message`, then every other expected
 * field exactly. Returns `{ pass: true }` or `{ pass: false, why }`.
 *
 * `claims` loosens the rules as the conformance matrix does for an adapter that reproduces
 * less than the reference: `codesWhenSent` compares codes only when the answer has them,
 * `messages: false` never compares messages, `onlySentFields` compares only the produced
 * fields the answer has. The default is the reference's: everything.
 *
 * An answer with a code of the protocol's reserved `adapter.` namespace (an earlier proof of a
 * replay vector refused, decision D3) fails whatever the vector expects: it was not tested.
 */
export function compare(expected, got, profile, claims = {}) {
  checkProfile(profile);
  const { codesWhenSent = false, messages = true, onlySentFields = false } = claims;
  const fail = (why) => ({ pass: false, why });
  if (typeof expected !== "object" || expected === null) return fail("no expectation");
  if (typeof got !== "object" || got === null || Array.isArray(got)) {
    return fail(`expected an object, got ${shown(got)}`);
  }
  // Decision D3: a code of the reserved `adapter.` namespace says the vector was not tested.
  const gCodes = Array.isArray(got.codes) ? got.codes : [];
  if (gCodes.some((c) => typeof c === "string" && c.startsWith(ADAPTER_CODE_PREFIX))) {
    return fail(`not tested: ${shown(got.message ?? gCodes)}`);
  }
  const eValid = typeof expected.valid === "boolean" ? expected.valid : undefined;
  const gValid = typeof got.valid === "boolean" ? got.valid : undefined;
  if (eValid !== gValid) return fail(`expected valid=${eValid}, got ${shown(got)}`);
  if (Object.hasOwn(got, "codes") || !codesWhenSent) {
    const e = expected.codes ?? [];
    const g = got.codes ?? [];
    if (!same(e, g)) return fail(`expected codes ${shown(e)}, got ${shown(g)}`);
  }
  if (messages && profile === "warehouse" && Object.hasOwn(expected, "message") && Object.hasOwn(got, "message")) {
    if (!same(expected.message, got.message)) {
      return fail(`expected message ${shown(expected.message)}, got ${shown(got.message)}`);
    }
  }
  for (const [k, e] of Object.entries(expected)) {
    if (k === "valid" || k === "codes" || k === "message") continue;
    if (!Object.hasOwn(got, k)) {
      if (onlySentFields) continue;
      return fail(`${k}: expected ${shown(e)}, got nothing`);
    }
    if (!same(e, got[k])) return fail(`${k}: expected ${shown(e)}, got ${shown(got[k])}`);
  }
  return { pass: true };
}
