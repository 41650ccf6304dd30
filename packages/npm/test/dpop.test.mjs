import assert from "node:assert/strict";
import { test } from "node:test";

import { EARLIER_PROOF_REFUSED } from "caveatspec-vectors/adapter";
import { MAX_PROOF_BYTES, dpopProof, jwkThumbprint, normalizeHtu, readHeader } from "caveatspec-vectors/dpop";

const b64u = (value) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");
const KEY = { kty: "EC", crv: "P-256", x: "xx", y: "yy" };
const NOW = 1_700_000_000;
const URL_ = "https://server.example.com/token";

/** A proof whose "signature" the made-up library below takes on trust. */
function proof(claims = {}, header = {}) {
  const h = { typ: "dpop+jwt", alg: "ES256", jwk: KEY, ...header };
  const c = { jti: "id-1", htm: "POST", htu: URL_, iat: NOW, ...claims };
  return `${b64u(h)}.${b64u(c)}.c2ln`;
}

/**
 * A made-up JOSE library: verify reads the claims without checking anything unless told to
 * refuse (`refuse(proof)` gives the error to throw); it records each call's options.
 */
function library({ refuse = () => null, ...rest } = {}) {
  const calls = [];
  return {
    calls,
    verify(p, options) {
      calls.push(options);
      const error = refuse(p);
      if (error) throw error;
      return JSON.parse(Buffer.from(p.split(".")[1], "base64url"));
    },
    thumbprint: (jwk) => `jkt-${jwk.x}`,
    codeOf: (e, profile) => (e.check ? `${profile}.${e.check}` : null),
    ...rest,
  };
}

const refusal = (check, message = "refused") => Object.assign(new Error(message), { check });
const input = (over = {}) => ({ proof: proof(), method: "POST", url: URL_, now: NOW, ...over });

test("a proof the library accepts and the glue's checks pass gives jkt and jti", async () => {
  const lib = library();
  assert.deepEqual(await dpopProof(lib)(input()), { valid: true, jkt: "jkt-xx", jti: "id-1" });
  assert.deepEqual(lib.calls, [
    { now: NOW, typ: "dpop+jwt", algorithms: ["ES256", "EdDSA", "Ed25519"], requiredClaims: ["jti", "htm", "htu"], maxAge: 300, skew: 60 },
  ]);
});

test("an access token makes ath required and compared", async () => {
  const lib = library();
  const token = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";
  const ath = Buffer.from(await crypto.subtle.digest("SHA-256", Buffer.from(token))).toString("base64url");
  const check = dpopProof(lib);
  assert.equal((await check(input({ access_token: token, proof: proof({ ath }) }))).valid, true);
  assert.deepEqual(lib.calls[0].requiredClaims, ["jti", "htm", "htu", "ath"]);
  assert.deepEqual((await check(input({ access_token: token, proof: proof({ ath: ath.slice(1) }) }))).codes, ["dpop.ath"]);
  assert.deepEqual((await check(input({ access_token: token }))).codes, ["dpop.missing_claim"]);
});

test("D2: an allowed algorithm the library lacks is unsupported, decided before the library runs", async () => {
  const lib = library({ algorithms: ["ES256"] });
  const check = dpopProof(lib);
  for (const alg of ["EdDSA", "Ed25519"]) {
    const answer = await check(input({ proof: proof({}, { alg }) }));
    assert.deepEqual(answer, { unsupported: `the library does not implement ${alg}` });
  }
  assert.equal(lib.calls.length, 0);
  // An earlier proof with such an algorithm makes the whole vector untestable.
  assert.ok("unsupported" in (await check(input({ replay: [{ proof: proof({}, { alg: "EdDSA" }), now: NOW }] }))));
});

test("D2: an algorithm DPoP does not allow is the library's to refuse, and answered invalid", async () => {
  const lib = library({ algorithms: ["ES256"], refuse: () => refusal("alg") });
  const check = dpopProof(lib);
  for (const alg of ["none", "HS256", "es256", "RS256"]) {
    assert.deepEqual(await check(input({ proof: proof({}, { alg }) })), { valid: false, codes: ["dpop.alg"], message: "Error: refused" });
  }
  assert.deepEqual(lib.calls.map((c) => c.algorithms), [["ES256"], ["ES256"], ["ES256"], ["ES256"]]);
});

test("the library's algorithms must be some of DPoP's", () => {
  for (const algorithms of [[], ["HS256"], ["ES256", "none"]]) {
    assert.throws(() => dpopProof(library({ algorithms })), /the library's algorithms are some of ES256, EdDSA, Ed25519/);
  }
});

test("D5: a library error gives a code only when codeOf names its check", async () => {
  const named = await dpopProof(library({ refuse: () => refusal("signature", "bad signature") }))(input());
  assert.deepEqual(named, { valid: false, codes: ["dpop.signature"], message: "Error: bad signature" });
  const generic = await dpopProof(library({ refuse: () => new TypeError("something") }))(input());
  assert.deepEqual(generic, { valid: false, message: "TypeError: something" });
  const { codeOf, ...withoutCodes } = library({ refuse: () => refusal("signature") });
  assert.deepEqual((await dpopProof(withoutCodes)(input())).codes, undefined);
});

test("the glue's checks, in SPEC order, with their codes", async () => {
  const check = dpopProof(library());
  const cases = [
    [{ proof: proof({ jti: 7 }) }, "dpop.claim_type"],
    [{ proof: proof({ htm: undefined }) }, "dpop.missing_claim"],
    [{ proof: proof({ jti: "" }) }, "dpop.jti_length"],
    [{ proof: proof({ jti: "é".repeat(129) }) }, "dpop.jti_length"],
    [{ method: "post" }, "dpop.htm"],
    [{ url: "https://server.example.com/other" }, "dpop.htu"],
    [{ proof: proof({ htu: "https://user@server.example.com/token" }) }, "dpop.htu_invalid"],
    [{ url: "https://server.example.com/to ken" }, "dpop.request_url"],
    [{ proof: proof({ iat: NOW - 301 }) }, "dpop.iat_too_old"],
    [{ proof: proof({ iat: NOW + 61 }) }, "dpop.iat_in_future"],
    [{ proof: proof({ iat: undefined }) }, "dpop.missing_claim"],
    [{ proof: proof({ iat: "1700000000" }) }, "dpop.claim_type"],
    [{ nonce: "n-1", proof: proof({ nonce: "n-2" }) }, "dpop.nonce"],
    [{ expected_jkt: "jkt-other" }, "dpop.jkt"],
    [{ proof: proof({}, { jwk: undefined }) }, "dpop.jwk_missing"],
  ];
  for (const [over, code] of cases) {
    assert.deepEqual((await check(input(over))).codes, [code], JSON.stringify(over));
  }
  // The first failing check answers: claim types (step 7) before htm (9), htu (10), the window (11).
  assert.deepEqual((await check(input({ method: "GET", proof: proof({ iat: "soon" }) }))).codes, ["dpop.claim_type"]);
  assert.deepEqual((await check(input({ method: "GET", proof: proof({ iat: NOW - 999 }) }))).codes, ["dpop.htm"]);
  assert.deepEqual((await check(input({ url: "https://x/", proof: proof({ iat: NOW - 999 }) }))).codes, ["dpop.htu"]);
  const accepted = [
    { proof: proof({ jti: "é".repeat(128) }) },
    { url: "HTTPS://Server.Example.COM:443/a/../token?x#y" },
    { proof: proof({ iat: NOW - 300 }) },
    { proof: proof({ iat: NOW + 60 }) },
    { proof: proof({ nonce: "ignored" }) },
    { nonce: "n-1", proof: proof({ nonce: "n-1" }) },
    { expected_jkt: "jkt-xx" },
  ];
  for (const over of accepted) assert.equal((await check(input(over))).valid, true, JSON.stringify(over));
});

test("replay: a jti seen with the same key within its proof's window is refused", async () => {
  const check = dpopProof(library());
  const earlier = { proof: proof({ iat: NOW - 10 }), now: NOW - 10 };
  assert.deepEqual((await check(input({ replay: [earlier] }))).codes, ["dpop.replay"]);
  const otherKey = { proof: proof({}, { jwk: { ...KEY, x: "zz" } }), now: NOW };
  assert.equal((await check(input({ replay: [otherKey] }))).valid, true);
  const expired = { proof: proof({ iat: NOW - 301 }), now: NOW - 301 };
  assert.equal((await check(input({ replay: [expired] }))).valid, true);
  // The same proof twice among the earlier ones is refused there: the vector was not tested.
  const twice = await check(input({ replay: [earlier, earlier] }));
  assert.deepEqual(twice.codes, [EARLIER_PROOF_REFUSED]);
  assert.match(twice.message, /^earlier proof 1 refused: dpop.replay/);
  // Each vector has its own map.
  assert.equal((await check(input())).valid, true);
  assert.equal((await check(input())).valid, true);
});

test("D3: an earlier proof the library refuses is answered with the reserved code and its index", async () => {
  const bad = proof({ jti: "id-0" }, { kid: "refuse me" });
  const lib = library({ refuse: (p) => (p === bad ? refusal("signature", "bad signature") : null) });
  const answer = await dpopProof(lib)(input({ replay: [{ proof: proof({ jti: "id-9" }), now: NOW }, { proof: bad, now: NOW }] }));
  assert.deepEqual(answer, {
    valid: false,
    codes: ["adapter.earlier_proof_refused"],
    message: "earlier proof 1 refused: Error: bad signature",
  });
});

test("hostile proofs: too long, truncated, not JSON, control characters, never reach the library", async () => {
  const lib = library();
  const check = dpopProof(lib);
  const long = proof({ pad: "x".repeat(MAX_PROOF_BYTES) });
  const hostile = [long, "", "abc", "abc.def", `${b64u("not json")}.e30.c2ln`, `${b64u("[1]")}.e30.c2ln`, `${b64u("{\"a\":\u0001}")}.e30.c2ln`, `${b64u(Buffer.from([0xff, 0xfe]).toString("latin1"))}.e30.c2ln`];
  for (const p of hostile) {
    assert.deepEqual((await check(input({ proof: p }))).codes, ["dpop.malformed"], p.slice(0, 40));
  }
  assert.equal(lib.calls.length, 0);
  assert.deepEqual((await check(input({ url: `https://h/${"a".repeat(9000)}` }))).codes, ["dpop.request_url"]);
});

test("the library's own header reader replaces the lenient one", async () => {
  const lib = library({ readHeader: () => { throw new TypeError("Invalid Token"); } });
  assert.deepEqual(await dpopProof(lib)(input()), { valid: false, codes: ["dpop.malformed"], message: "TypeError: Invalid Token" });
});

test("the lenient header reader takes either alphabet, padding and white space; the library judges them", () => {
  const header = { alg: "ES256", jwk: { x: "??>>" } };
  const standard = Buffer.from(JSON.stringify(header)).toString("base64");
  assert.deepEqual(readHeader(`${standard}.e30.c2ln`), header);
  assert.deepEqual(readHeader(` ${b64u(header)}.e30.c2ln`), header);
  assert.throws(() => readHeader("a.b"), /three segments/);
  assert.throws(() => readHeader(".e30.c2ln"), /empty header/);
});

test("htu normalization (SPEC §10.3 step 10)", () => {
  const same = [
    ["HTTPS://Example.COM:443", "https://example.com/"],
    ["http://example.com:80/", "http://example.com/"],
    ["https://example.com:0443/a", "https://example.com/a"],
    ["https://example.com:8443/a/./b/../c/", "https://example.com:8443/a/c/"],
    ["https://example.com/%7e%41%2f%2F", "https://example.com/~A%2F%2F"],
    ["https://[::1]:8080/p?q#f", "https://[::1]:8080/p"],
    ["https://example.com/a/..", "https://example.com/"],
  ];
  for (const [url, want] of same) assert.equal(normalizeHtu(url), want, url);
  const refused = [
    "ftp://example.com/", "https://user@example.com/", "https:///path", "https://exa%41mple.com/",
    "https://example.com:65536/", "https://example.com:8a/", "https://example.com/%zz", "https://example.com/%4",
    "https://example.com/a b", "https://example.com/\u0000", "https://example.com/é", "https://[::1/", "https://[::1]x/",
    `https://example.com/${"a".repeat(8192)}`, "example.com/path",
    // Names of Object's members are no schemes.
    "constructor://example.com/", "__proto__://example.com/", "toString://example.com/",
  ];
  for (const url of refused) assert.throws(() => normalizeHtu(url), Error, url.slice(0, 40));
});

test("jwk_thumbprint: the library's thumbprint; D2 for a key type it lacks", async () => {
  const thumbprint = (jwk) => {
    if (jwk.kty === "oct") throw new TypeError("symmetric");
    return `tp-${jwk.kty}`;
  };
  const all = jwkThumbprint({ thumbprint });
  assert.deepEqual(await all({ jwk: { kty: "RSA", e: "AQAB", n: "nn" } }), { valid: true, thumbprint: "tp-RSA" });
  assert.deepEqual(await all({ jwk: { kty: "oct", k: "kk" } }), { valid: false, message: "TypeError: symmetric" });
  const ecOnly = jwkThumbprint({ thumbprint, keyTypes: ["EC P-256"] });
  assert.deepEqual(await ecOnly({ jwk: { kty: "RSA", e: "AQAB", n: "nn" } }), { unsupported: "the library does not implement RSA keys" });
  assert.deepEqual(await ecOnly({ jwk: { kty: "OKP", crv: "Ed25519", x: "xx" } }), { unsupported: "the library does not implement OKP Ed25519 keys" });
  // A key type the vectors do not take a thumbprint of is the library's to refuse.
  assert.deepEqual(await ecOnly({ jwk: { kty: "OKP", crv: "Ed448", x: "xx" } }), { valid: true, thumbprint: "tp-OKP" });
  assert.throws(() => jwkThumbprint({ thumbprint, keyTypes: ["EC P-384"] }), /key types/);
});
