import assert from "node:assert/strict";
import { test } from "node:test";

import { compare } from "caveatspec-vectors";

const refused = { valid: false, codes: ["caveat.bad_json", "caveat.other"], message: "Error: malformed" };
const produced = { valid: true, caveats: ["[1,[\"a\"]]"], token: "pypi-x" };

test("the verdict comes first", () => {
  assert.deepEqual(compare(refused, { valid: true }, "strict").pass, false);
  assert.match(compare(produced, { valid: false, codes: ["x.y"] }, "warehouse").why, /expected valid=true/);
  assert.equal(compare(produced, { caveats: produced.caveats }, "strict").pass, false);
  assert.equal(compare(produced, "valid", "strict").pass, false);
  assert.equal(compare(produced, null, "strict").pass, false);
});

test("codes are compared in order, and missing codes are an empty list", () => {
  assert.equal(compare(refused, { ...refused, codes: ["caveat.other", "caveat.bad_json"] }, "strict").pass, false);
  assert.equal(compare(refused, { valid: false, message: refused.message }, "strict").pass, false);
  assert.equal(compare({ valid: true }, { valid: true, codes: [] }, "strict").pass, true);
  assert.equal(compare(refused, { ...refused }, "strict").pass, true);
});

test("messages count in the warehouse profile, when both have one", () => {
  const other = { ...refused, message: "Error: other" };
  assert.match(compare(refused, other, "warehouse").why, /expected message/);
  assert.equal(compare(refused, other, "strict").pass, true);
  assert.equal(compare(refused, { valid: false, codes: refused.codes }, "warehouse").pass, true);
  assert.equal(compare({ ...refused, message: null }, other, "warehouse").pass, false);
});

test("every other expected field must be there and equal, whatever its members' order", () => {
  assert.equal(compare(produced, { ...produced, extra: 1 }, "strict").pass, true);
  assert.match(compare(produced, { valid: true, caveats: produced.caveats }, "strict").why, /token: expected .* got nothing/);
  assert.equal(compare(produced, { ...produced, caveats: [] }, "strict").pass, false);
  const m = { valid: true, macaroon: { version: 2, location: null } };
  assert.equal(compare(m, { valid: true, macaroon: { location: null, version: 2 } }, "strict").pass, true);
  assert.equal(compare(m, { valid: true, macaroon: { location: "", version: 2 } }, "strict").pass, false);
});

test("claims loosen the rules as the matrix does for an adapter", () => {
  const adapter = { codesWhenSent: true, messages: false, onlySentFields: true };
  assert.equal(compare(refused, { valid: false }, "warehouse", adapter).pass, true);
  assert.equal(compare(refused, { valid: false, codes: ["x.y"] }, "warehouse", adapter).pass, false);
  assert.equal(compare(refused, { valid: false, message: "other" }, "warehouse", adapter).pass, true);
  assert.equal(compare(produced, { valid: true, caveats: produced.caveats }, "strict", adapter).pass, true);
  assert.equal(compare(produced, { valid: true, token: "pypi-y" }, "strict", adapter).pass, false);
});

test("a code of the reserved adapter. namespace fails whatever the vector expects (D3)", () => {
  const notTested = { valid: false, codes: ["adapter.earlier_proof_refused"], message: "earlier proof 0 refused: dpop.signature" };
  const adapter = { codesWhenSent: true, messages: false, onlySentFields: true };
  for (const expected of [produced, refused, { valid: false, codes: ["adapter.earlier_proof_refused"] }]) {
    const r = compare(expected, notTested, "strict", adapter);
    assert.equal(r.pass, false);
    assert.match(r.why, /not tested: "earlier proof 0 refused: dpop.signature"/);
  }
  const other = { valid: false, codes: ["adapterx.y"] };
  assert.equal(compare(other, other, "strict", adapter).pass, true, "only adapter. is reserved");
});

test("a hostile answer is refused with a bounded reason", () => {
  const huge = "x".repeat(10_000_000);
  const r = compare(produced, { ...produced, token: huge }, "strict");
  assert.equal(r.pass, false);
  assert.ok(r.why.length < 1000);
  assert.throws(() => compare(produced, produced, "Strict"), /unknown profile/);
  const control = compare(refused, { valid: false, codes: ["\u0000\u001b[31m"] }, "strict");
  assert.ok(control.why.includes("\\u0000") && !control.why.includes("\u001b"));
});
