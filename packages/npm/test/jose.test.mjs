import assert from "node:assert/strict";
import { test } from "node:test";

import { joseErrorCode, joseVerifiers } from "caveatspec-vectors/jose";

/** An error shaped as jose throws them (jose itself is tested by the consumer, consumers/jose.test.mjs). */
const joseError = (code, message, more = {}) => Object.assign(new Error(message), { code, ...more });

test("jose's errors name checks by their code, claim and reason", () => {
  const cases = [
    [joseError("ERR_JOSE_ALG_NOT_ALLOWED", '"alg" (Algorithm) Header Parameter value not allowed'), "dpop.alg", "atr.alg"],
    [joseError("ERR_JWS_SIGNATURE_VERIFICATION_FAILED", "signature verification failed"), "dpop.signature", "atr.signature"],
    [joseError("ERR_JWT_EXPIRED", '"iat" claim timestamp check failed', { claim: "iat" }), "dpop.iat_too_old", "atr.expired"],
    [joseError("ERR_JWT_EXPIRED", '"exp" claim timestamp check failed', { claim: "exp" }), null, "atr.expired"],
    [joseError("ERR_JWT_CLAIM_VALIDATION_FAILED", 'missing required "jti" claim', { claim: "jti", reason: "missing" }), "dpop.missing_claim", "atr.missing_claim"],
    [joseError("ERR_JWT_CLAIM_VALIDATION_FAILED", '"iat" claim must be a number', { claim: "iat", reason: "invalid" }), "dpop.claim_type", "atr.iat"],
    [joseError("ERR_JWT_CLAIM_VALIDATION_FAILED", "unexpected typ", { claim: "typ", reason: "check_failed" }), "dpop.typ", null],
    [joseError("ERR_JWT_CLAIM_VALIDATION_FAILED", "iat in the future", { claim: "iat", reason: "check_failed" }), "dpop.iat_in_future", null],
    [joseError("ERR_JWT_CLAIM_VALIDATION_FAILED", "unexpected iss", { claim: "iss", reason: "check_failed" }), null, "atr.issuer"],
    [joseError("ERR_JWT_CLAIM_VALIDATION_FAILED", "nbf", { claim: "nbf", reason: "check_failed" }), null, "atr.immature"],
    [joseError("ERR_JWT_INVALID", "JWT Claims Set must be a top-level JSON object"), "dpop.malformed", "atr.malformed"],
    [joseError("ERR_JWS_INVALID", 'Extension Header Parameter "x" is not recognized'), "dpop.crit", "atr.crit"],
    [joseError("ERR_JWS_INVALID", 'JWS Protected Header is missing the "alg" parameter'), "dpop.alg", "atr.alg"],
    [joseError("ERR_JWS_INVALID", '"jwk" (JSON Web Key) Header Parameter must be a JSON object'), null, null],
    [joseError("ERR_JWS_INVALID", "Invalid Compact JWS"), "dpop.malformed", "atr.malformed"],
    [joseError("ERR_JOSE_NOT_SUPPORTED", 'Extension Header Parameter "b64" is not recognized'), "dpop.crit", "atr.crit"],
    [joseError("ERR_JOSE_NOT_SUPPORTED", "Unsupported key curve"), null, null],
    [joseError("ERR_JWT_CLAIM_VALIDATION_FAILED", "odd", { claim: "constructor", reason: "check_failed" }), null, null],
    [joseError("ERR_JWT_CLAIM_VALIDATION_FAILED", "odd", { claim: "__proto__", reason: "check_failed" }), null, null],
    [new TypeError("Invalid keyData"), null, null],
    [Object.assign(new Error("DOMException"), { code: 0 }), null, null],
    ["a string", null, null],
    [null, null, null],
  ];
  for (const [error, dpop, atr] of cases) {
    assert.equal(joseErrorCode(error, "dpop"), dpop, `${error?.code} ${error?.message} (dpop)`);
    assert.equal(joseErrorCode(error, "atr"), atr, `${error?.code} ${error?.message} (atr)`);
  }
});

test("jose is called with the vector's clock as currentDate and SPEC's window as its options", async () => {
  const calls = [];
  const header = { typ: "dpop+jwt", alg: "ES256", jwk: { kty: "EC" } };
  const fakeJose = {
    EmbeddedJWK: Symbol("EmbeddedJWK"),
    decodeProtectedHeader: () => header,
    calculateJwkThumbprint: async (jwk, digest) => `${jwk.kty}-${digest}`,
    async jwtVerify(token, key, options) {
      calls.push({ token, key, options });
      return { payload: { jti: "j", htm: "GET", htu: "https://h/", iat: 1000, sub: "s" } };
    },
  };
  const verifiers = joseVerifiers(fakeJose);
  assert.deepEqual(Object.keys(verifiers), ["dpop_proof", "jwk_thumbprint", "atr_jwt"]);
  const dpop = await verifiers.dpop_proof({ proof: "h.p.s", method: "GET", url: "https://h/", now: 1000 });
  assert.deepEqual(dpop, { valid: true, jkt: "EC-sha256", jti: "j" });
  assert.equal(calls[0].key, fakeJose.EmbeddedJWK);
  assert.deepEqual(calls[0].options, {
    typ: "dpop+jwt", algorithms: ["ES256", "EdDSA", "Ed25519"], requiredClaims: ["jti", "htm", "htu"],
    currentDate: new Date(1_000_000), clockTolerance: 60, maxTokenAge: 240,
  });
  const atr = await verifiers.atr_jwt({ authorization: "Bearer t", key: "k", iss_aud: "https://atr/", now: 2000 });
  assert.deepEqual(atr, { valid: true, sub: "s", jti: "j" });
  assert.deepEqual(calls[1].key, new TextEncoder().encode("k"));
  assert.deepEqual(calls[1].options, {
    algorithms: ["HS256"], issuer: "https://atr/", audience: "https://atr/",
    requiredClaims: ["sub", "iss", "aud", "iat", "nbf", "exp", "jti"], clockTolerance: 120, currentDate: new Date(2_000_000),
  });
  assert.deepEqual(await verifiers.jwk_thumbprint({ jwk: { kty: "RSA" } }), { valid: true, thumbprint: "RSA-sha256" });
});
