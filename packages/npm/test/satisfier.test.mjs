// The satisfier's caveat reading in both profiles: the strict codes, the bounds, and hostile
// input, where every refusal is an `Unmet` (strict: with its code) or `false` from
// `satisfies`, never another exception, never work that grows with the nesting. (The vectors
// run through it in consumers/macaroon-strict.test.mjs.)
import assert from "node:assert/strict";
import { test } from "node:test";

import { vectors } from "caveatspec-vectors";
import {
  Request, Unmet, bodyBytes, canonical, caveatKind, pypi, pypiVerifiers, rowMatches, strictFailures, strictMacaroon, tokenBody,
} from "caveatspec-vectors/satisfier";

const VERIFY = vectors({ kind: "verify" }).find(
  (v) => v.expected.strict.valid && "user_id" in v.input.row.owner && v.input.project !== null,
);
const USER = "3e2f1a0b-9c8d-4e7f-8a6b-5c4d3e2f1a0b";
const JKT = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I";
const strict = { profile: "strict" };

/** The strict code refusing a caveat (text or bytes), or null when it reads. */
function codeOf(caveat, requestUser = USER) {
  const input = typeof caveat === "string" ? { caveat, request_user: requestUser } : { caveat_hex: Buffer.from(caveat).toString("hex") };
  try {
    caveatKind(input, strict);
    return null;
  } catch (e) {
    assert.ok(e instanceof Unmet && typeof e.code === "string", `not an Unmet with a code: ${e}`);
    return e.code;
  }
}

test("the default profile is unchanged and an unknown one is refused", () => {
  assert.equal(caveatKind({ caveat: '[true,["a"]]' }), "project_name");
  assert.equal(codeOf('[true,["a"]]'), "caveat.tag_type");
  assert.equal(codeOf(`[5,"${JKT}"]`), null);
  assert.throws(() => caveatKind({ caveat: `[5,"${JKT}"]` }), Unmet);
  assert.throws(() => caveatKind({ caveat: "[0,1,0]" }, { profile: "Strict" }), TypeError);
  assert.throws(() => new Request(VERIFY.input, { profile: null }), TypeError);
  assert.deepEqual(Object.keys(pypi({})).sort(), ["decode", "mint", "restrict"]); // the adapter's kinds
});

test("huge caveats are refused by their length first", () => {
  assert.equal(codeOf(`[0,${"9".repeat(5000)},0]`), "caveat.too_long");
  assert.equal(codeOf(`[0,${"9".repeat(10_000_000)},0]`), "caveat.too_long");
  assert.equal(codeOf(new Uint8Array(4097).fill(0xff)), "caveat.too_long");
  assert.equal(codeOf(JSON.stringify([1, Array(820).fill("a")]).replaceAll(",", ", ")), "caveat.too_long");
  assert.equal(codeOf(JSON.stringify([1, Array(600).fill("a")])), null);
  // Warehouse bounds nothing, and still reads a huge caveat in linear time.
  assert.equal(new Request(VERIFY.input).satisfies(`[1,[${'"a",'.repeat(1_000_000)}"a"]]`), false);
});

test("deep nesting is refused without recursion", () => {
  assert.equal(codeOf("[".repeat(4096)), "json.syntax");
  assert.equal(codeOf("[".repeat(2048) + "]".repeat(2048)), "json.too_deep");
  assert.equal(codeOf("[1,".repeat(1000) + "0" + "]".repeat(1000)), "json.too_deep");
  assert.equal(codeOf('{"a":'.repeat(600) + "1" + "}".repeat(600)), "json.too_deep");
  assert.equal(codeOf("[1,[[[[[[[0]]]]]]]]"), "caveat.field_type"); // 8 levels: read, then typed
  assert.equal(codeOf("[1,[[[[[[[[0]]]]]]]]]"), "json.too_deep");
  const deep = "[".repeat(200_000) + "]".repeat(200_000);
  assert.equal(new Request(VERIFY.input).satisfies(deep), false); // warehouse: past Python's recursion limit
  assert.equal(new Request(VERIFY.input, strict).failure(deep), "caveat.too_long");
});

test("bytes that are not UTF-8 are refused", () => {
  for (const raw of [[0xff], [0x5b, 0x30, 0x5d, 0xc3], [0xed, 0xa0, 0x80], [0xfe, 0xff, 0x00, 0x5b]]) {
    assert.equal(codeOf(new Uint8Array(raw)), "caveat.not_utf8");
  }
  assert.equal(codeOf('[1,["\ud800"]]'), "caveat.not_utf8"); // a lone surrogate in a string is no UTF-8
  assert.equal(codeOf('[1,["\\ud800"]]'), "caveat.name_not_normalized"); // an escaped one is text
  assert.equal(codeOf(new Uint8Array([0xef, 0xbb, 0xbf, 0x5b, 0x5d])), "json.syntax"); // a BOM is kept, and no JSON
  assert.equal(new Request(VERIFY.input).satisfies(new Uint8Array([0xff])), false);
});

test("control characters are syntax errors raw, and invalid content escaped", () => {
  assert.equal(codeOf('[1,["a\x00"]]'), "json.syntax");
  assert.equal(codeOf('[1,["a\x1f"]]'), "json.syntax");
  assert.equal(codeOf("\x00[0,1,0]"), "json.syntax");
  assert.equal(codeOf("[0,1,0]\x0b"), "json.syntax");
  assert.equal(codeOf('[1,["a\\u0000"]]'), "caveat.name_not_normalized");
  assert.equal(codeOf(`[3,"${USER}\\n"]`), "caveat.invalid_uuid");
  assert.equal(codeOf('[1,["__proto__"]]'), "caveat.name_not_normalized");
  assert.equal(codeOf('{"__proto__":1,"exp":1,"nbf":0}'), "caveat.legacy_shape");
});

test("repeated elements, keys and caveats", () => {
  assert.equal(codeOf(`[1,[${Array(900).fill('"a"').join(",")}]]`), null); // repeats are allowed
  assert.equal(codeOf('{"exp":2,"nbf":1,"exp":2}'), "json.duplicate_key");
  assert.equal(codeOf(`[4,"${USER}",{"a":{"b":1,"b":1}}]`), "json.duplicate_key");
  assert.equal(codeOf('{"exp":2,"\\u006ebf":1,"nbf":1}'), "json.duplicate_key"); // keys compared decoded
  assert.equal(codeOf(`[5,"${JKT}","${JKT}"]`), "caveat.trailing_elements");
  const request = new Request({ ...VERIFY.input, proof_jkt: JKT }, strict);
  assert.deepEqual(strictFailures(request, Array(64).fill(`[5,"${JKT}"]`), () => true), []);
  assert.deepEqual(strictFailures(request, Array(65).fill(`[5,"${JKT}"]`), () => true), ["macaroon.too_many_caveats"]);
});

test("the order of the checks, and the numbers", () => {
  assert.equal(codeOf("[0,1.5,0"), "json.syntax");
  assert.equal(codeOf("[[[[[[[[[1.5]]]]]]]]]"), "json.too_deep");
  assert.equal(codeOf('[{"a":1,"a":1.0}]'), "json.duplicate_key");
  assert.equal(codeOf("[NaN]"), "json.non_integer_number");
  assert.equal(codeOf("[-Infinity]"), "json.non_integer_number");
  assert.equal(codeOf("[0,-0,0]"), null);
  assert.equal(codeOf('[4,"not-a-uuid",{}]'), "caveat.deprecated_claims"); // claims before the id
  assert.equal(codeOf('[0,-1,"x"]'), "caveat.int_range"); // left to right
  assert.equal(codeOf("[0,9223372036854775808,0]"), "caveat.int_range");
  assert.equal(codeOf("[0,9223372036854775807,0]"), null);
  assert.equal(canonical({ caveat: "[0, 9223372036854775807, 0]" }), "[0,9223372036854775807,0]");
  assert.equal(canonical({ caveat: '{"version":1,"permissions":"user"}', request_user: "\u00e9\n" }), '[3,"\\u00e9\\n"]');
  assert.equal(codeOf("[6]"), "caveat.unknown_tag");
  assert.equal(codeOf("[5]"), "caveat.missing_fields");
  // Warehouse: Python's equality for tags, integers of any size compared exactly.
  const now = VERIFY.input.now;
  const request = new Request(VERIFY.input);
  assert.equal(request.satisfies(`[1.0000000000000001,["x"]]`), false);
  assert.equal(caveatKind({ caveat: "[1e-400,1,0]" }), "expiration");
  assert.equal(request.satisfies(`[0,${"9".repeat(4300)},${now}]`), true);
  assert.equal(request.satisfies(`[0,${"9".repeat(4301)},${now}]`), false); // past Python's digit limit
  assert.equal(request.satisfies(`[0,${"9".repeat(10_000_000)},${now}]`), false); // and never converted
  assert.equal(request.satisfies(`[0,${now},${now}]`), false);
});

test("the key binding holds for its proof only", () => {
  const caveat = `[5,"${JKT}"]`;
  const bound = new Request({ ...VERIFY.input, proof_jkt: JKT }, strict);
  assert.equal(bound.satisfies(caveat), true);
  assert.equal(bound.failure(new TextEncoder().encode(caveat)), null);
  assert.equal(new Request(VERIFY.input, strict).failure(caveat), "key_binding.no_proof");
  assert.equal(new Request({ ...VERIFY.input, proof_jkt: `${JKT.slice(0, -1)}E` }, strict).failure(caveat), "key_binding.mismatch");
  assert.equal(new Request({ ...VERIFY.input, proof_jkt: "\ud800".repeat(100) }, strict).failure(caveat), "key_binding.mismatch");
  assert.equal(codeOf(`[5,"${JKT.slice(0, -1)}B"]`), "caveat.invalid_jkt"); // unused bits set
  assert.equal(bound.satisfies(null), false);
  assert.equal(bound.satisfies(12), false);
  assert.throws(() => new Request(VERIFY.input).failure("[0,1,0]"), TypeError);
});

test("the token text layer with its codes", () => {
  const code = (token) => {
    try {
      tokenBody(token, strict);
    } catch (e) {
      assert.ok(e instanceof Unmet);
      return e.code;
    }
    return null;
  };
  assert.equal(code("x".repeat(10_000_000)), "token.too_long");
  assert.equal(code(`pypi-${"A".repeat(16_380)}`), "token.too_long");
  assert.equal(code(`pypi-${"A".repeat(16_379)}`), null);
  assert.equal(code(`pypi-${"\u{1F600}".repeat(16_380)}`), "token.too_long");
  assert.equal(code(`pypi-${"\u{1F600}".repeat(9_000)}`), "token.noncanonical_base64"); // characters, not UTF-16 units
  assert.equal(code(""), "token.no_prefix");
  assert.equal(code("PYPI-AAAA"), "token.wrong_prefix");
  assert.equal(code("pypi-"), "token.empty_body");
  for (const body of ["AA==", "A", "AB", "A+/A", "AA\n", "AA AA", "AAA\x00", "AA\u00e9", "AAB"]) {
    assert.equal(code(`pypi-${body}`), "token.noncanonical_base64");
  }
  assert.equal(code(12), "token.no_prefix");
  assert.deepEqual([...bodyBytes(tokenBody("pypi-AAA", strict))], [0, 0]);
});

test("the row lookup: any spelling of the UUID in warehouse, the canonical one in strict", () => {
  const row = VERIFY.input.row;
  const bytes = (s) => new TextEncoder().encode(s);
  assert.ok(rowMatches(bytes(row.identifier), row, strict));
  assert.ok(rowMatches(bytes(row.identifier.toUpperCase()), row));
  assert.ok(rowMatches(bytes(`{urn:uuid:${row.identifier.replaceAll("-", "")}}`), row));
  assert.ok(rowMatches(bytes(`-${row.identifier}`), row)); // Python's UUID drops every hyphen
  for (const id of [row.identifier.toUpperCase(), row.identifier.replaceAll("-", ""), "", `${row.identifier}\n`, `-${row.identifier}`]) {
    assert.equal(rowMatches(bytes(id), row, strict), false);
  }
  for (const id of [new Uint8Array([0xff]), bytes("0".repeat(1_000_000)), bytes(`+-${row.identifier}`), "not bytes"]) {
    assert.equal(rowMatches(id, row), false);
    assert.equal(rowMatches(id, row, strict), false);
  }
  // A row whose id is not canonical matches no token, not even its own spelling.
  const upper = { ...row, identifier: row.identifier.toUpperCase() };
  for (const id of [upper.identifier, row.identifier]) {
    assert.equal(rowMatches(bytes(id), upper, strict), false);
    assert.ok(rowMatches(bytes(id), upper));
  }
});

test("the macaroon rules in order", () => {
  const sig = new Uint8Array(32);
  const id = new Uint8Array([0x69]);
  // The canonical bytes of location "", identifier "i", no caveats, a zero signature.
  const raw = new Uint8Array([2, 1, 0, 2, 1, 0x69, 0, 0, 6, 32, ...sig]);
  const code = (m) => {
    try {
      strictMacaroon({ version: 2, location: "", identifier: id, caveats: [], signature: sig, raw, ...m });
    } catch (e) {
      return e.code;
    }
    return null;
  };
  assert.equal(code({}), null);
  assert.equal(code({ version: 1, signature: new Uint8Array(0) }), "macaroon.v1_unsupported");
  assert.equal(code({ caveats: [{ identifier: id, vid: new Uint8Array(0) }] }), "macaroon.third_party_caveat");
  assert.equal(code({ signature: sig.subarray(1) }), "macaroon.signature_length");
  const noId = new Uint8Array([2, 1, 0, 2, 0, 0, 0, 6, 32, ...sig]);
  assert.equal(code({ raw: new Uint8Array([...noId, 0]), identifier: new Uint8Array(0) }), "macaroon.trailing_bytes");
  assert.equal(code({ raw: noId, identifier: new Uint8Array(0) }), "macaroon.empty_identifier");
  assert.equal(code({ location: undefined, raw: new Uint8Array([2, 2, 1, 0x69, 0, 0, 6, 32, ...sig]) }), "macaroon.noncanonical_encoding");
  const caveats = Array(65).fill({ identifier: new Uint8Array([0x5b, 0x5d]) });
  const withCaveats = (n) => new Uint8Array([2, 1, 0, 2, 1, 0x69, 0, ...Array(n).fill([2, 2, 0x5b, 0x5d, 0]).flat(), 0, 6, 32, ...sig]);
  assert.equal(code({ caveats, raw: withCaveats(65) }), "macaroon.too_many_caveats");
  assert.equal(code({ caveats: caveats.slice(1), raw: withCaveats(64) }), null);
});

test("a signature mismatch hides every caveat; the count comes before it", () => {
  const request = new Request(VERIFY.input, strict);
  const called = [];
  assert.deepEqual(strictFailures(request, ["[", "[6]"], () => (called.push(1), false)), ["signature.mismatch"]);
  assert.deepEqual(strictFailures(request, [new Uint8Array([0xff]), "[6]", "[0,1,0]"], () => true), [
    "caveat.not_utf8", "caveat.unknown_tag", "expiration.outside_window",
  ]);
  assert.deepEqual(strictFailures(request, Array(65).fill("[0,1,0]"), () => called.push(2)), ["macaroon.too_many_caveats"]);
  assert.deepEqual(called, [1]);
});

test("pypiVerifiers answers in the vectors' shape without the library for what it need not call", () => {
  const never = new Proxy({}, { get: () => () => assert.fail("the library was called") });
  const verifiers = pypiVerifiers(never, strict);
  assert.deepEqual(verifiers.caveat({ caveat: "[0,1,0,1]" }), { valid: false, codes: ["caveat.trailing_elements"] });
  assert.deepEqual(verifiers.verify({ ...VERIFY.input, token: `pypi-${"A".repeat(20_000)}` }), { valid: false, codes: ["token.too_long"] });
  assert.deepEqual(verifiers.decode({ token: "pypi-AA==" }), { valid: false, codes: ["token.noncanonical_base64"] });
  assert.deepEqual(pypiVerifiers(never).caveat({ caveat: "[0,1]" }), { valid: false });
  assert.throws(() => pypiVerifiers(never, { profile: "lenient" }), TypeError);
});
