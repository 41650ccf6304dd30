import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { BASIS_CLASSES, basisClass, basisFor, expectedFor, load, vectors } from "caveatspec-vectors";

test("load() gives every shipped vector, one per id of ids.txt", () => {
  const ids = load().flatMap((f) => f.vectors.map((v) => v.id));
  assert.equal(ids.length, 1360);
  assert.equal(new Set(ids).size, ids.length);
  const listed = readFileSync(new URL("../vectors/ids.txt", import.meta.url), "utf8").trim().split("\n");
  assert.deepEqual(new Set(ids), new Set(listed));
  for (const f of load()) assert.equal(f.vectors.length, f.number_of_vectors, f.category);
});

test("vectors() narrows by kind, category and every flag given", () => {
  const decode = vectors({ kind: "decode" });
  assert.ok(decode.length > 0 && decode.every((v) => v.kind === "decode"));
  const mintOrRestrict = vectors({ kind: ["mint", "restrict"] });
  assert.equal(mintOrRestrict.length, vectors({ kind: "mint" }).length + vectors({ kind: "restrict" }).length);
  const minting = vectors({ category: "minting" });
  assert.equal(minting.length, load().find((f) => f.category === "minting").vectors.length);
  assert.ok(minting.every((v) => v.category === "minting"));
  const both = vectors({ flags: ["boundary", "known-answer"] });
  assert.ok(both.every((v) => v.flags.includes("boundary") && v.flags.includes("known-answer")));
  assert.ok(both.length < vectors({ flags: "boundary" }).length);
  assert.deepEqual(vectors({ kind: "no-such-kind" }), []);
});

test("expectedFor() picks the profile's expectation for decode, caveat and verify only", () => {
  const [caveat] = vectors({ kind: "caveat" });
  assert.equal(expectedFor(caveat, "strict"), caveat.expected.strict);
  assert.equal(expectedFor(caveat, "warehouse"), caveat.expected.warehouse);
  const [mint] = vectors({ kind: "mint" });
  assert.equal(expectedFor(mint, "strict"), mint.expected);
  assert.throws(() => expectedFor(mint, "lenient"), /unknown profile "lenient"/);
});

test("the loaded files cannot be changed by a consumer", () => {
  assert.throws(() => load().push({}), TypeError);
  assert.equal(load(), load());
});

test("basisFor() gives each vector's basis per profile, basisClass() its class", () => {
  const seen = new Set();
  for (const v of vectors()) {
    for (const p of ["warehouse", "strict"]) {
      const b = basisFor(v, p);
      assert.ok(Object.hasOwn(b, "ref") !== Object.hasOwn(b, "reason"), v.id);
      seen.add(basisClass(b));
    }
  }
  assert.deepEqual([...seen].sort(), [...BASIS_CLASSES].sort());
  const [verify] = vectors({ kind: "verify" });
  assert.equal(basisFor(verify, "warehouse").source, "pypi");
  assert.equal(basisFor(verify, "strict").source, "policy");
  const oct = vectors({ category: "dpop" }).find((v) => v.id === "dpop/thumbprint/oct");
  assert.equal(basisClass(basisFor(oct, "strict")), "open");
  assert.throws(() => basisClass({ source: "ietf", ref: "x" }), /unknown basis source "ietf"/);
  assert.throws(() => basisFor(verify, "lenient"), /unknown profile/);
});
