import assert from "node:assert/strict";
import { test } from "node:test";

import { atrJwt, bearerToken } from "caveatspec-vectors/atr";

const input = (over = {}) => ({ authorization: "Bearer t.o.k", key: "ab".repeat(32), iss_aud: "https://atr.example/", now: 1_700_000_000, ...over });

test("ATR's Authorization rule: the first space splits, the scheme is compared lower-cased", () => {
  assert.equal(bearerToken("Bearer abc"), "abc");
  assert.equal(bearerToken("bEaReR abc def"), "abc def");
  assert.equal(bearerToken("Bearer  abc"), " abc");
  assert.equal(bearerToken("Bearer "), "");
  for (const bad of ["Bearer", "Bearerabc", "DPoP abc", "Bearer\tabc", "", " Bearer abc", "Bearer\u0000 abc"]) {
    assert.equal(bearerToken(bad), null, JSON.stringify(bad));
  }
});

test("the library gets ATR's arguments, the key as the UTF-8 bytes of its hex text", async () => {
  const calls = [];
  const check = atrJwt({
    verify(token, options) {
      calls.push([token, options]);
      return { sub: "alice", jti: "j-1", iss: "x" };
    },
  });
  assert.deepEqual(await check(input()), { valid: true, sub: "alice", jti: "j-1" });
  const [token, options] = calls[0];
  assert.equal(token, "t.o.k");
  assert.deepEqual(options, {
    key: new TextEncoder().encode("ab".repeat(32)),
    algorithms: ["HS256"],
    issuer: "https://atr.example/",
    audience: "https://atr.example/",
    leeway: 120,
    now: 1_700_000_000,
    requiredClaims: ["sub", "iss", "aud", "iat", "nbf", "exp", "jti"],
  });
});

test("refusals: the header rule, the library's (coded when codeOf names it), string sub and jti", async () => {
  let claims = {};
  const check = atrJwt({
    verify() {
      if (claims instanceof Error) throw claims;
      return claims;
    },
    codeOf: (e, profile) => (e.check ? `${profile}.${e.check}` : null),
  });
  assert.deepEqual(await check(input({ authorization: "Token t.o.k" })), { valid: false, codes: ["atr.bearer"] });
  claims = Object.assign(new Error("expired"), { check: "expired" });
  assert.deepEqual(await check(input()), { valid: false, codes: ["atr.expired"], message: "Error: expired" });
  claims = new RangeError("odd");
  assert.deepEqual(await check(input()), { valid: false, message: "RangeError: odd" });
  for (const bad of [{ sub: 1, jti: "j" }, { sub: "s", jti: null }, { sub: "s" }]) {
    claims = bad;
    assert.deepEqual(await check(input()), { valid: false, codes: ["atr.claim_type"] }, JSON.stringify(bad));
  }
});
