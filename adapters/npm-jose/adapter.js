// caveatspec adapter for the npm `jose` package (panva) 6.x: dpop_proof, jwk_thumbprint and
// atr_jwt. Protocol: spec/adapter-protocol.md, spoken by caveatspec-vectors' adapter loop. (The
// npm `dpop` package only creates proofs; it has no verifier, so it has no adapter.)
//
// The calls into jose and the codes its errors name are caveatspec-vectors' jose module
// (packages/npm/jose.js), the one its consumer tests also run; the DPoP glue (claim types, ath,
// htm, htu normalization, the iat window, nonce, jkt, the replay map) is its dpop module, and
// ATR's Authorization rule and claim types its atr module.
"use strict";
const jose = require("jose");
const { serve, installedVersion } = require("../../packages/npm/adapter.js");
const { joseVerifiers } = require("../../packages/npm/jose.js");

serve(
  { name: "jose", version: installedVersion("jose", require.resolve), language: "JavaScript", profile: "strict" },
  joseVerifiers(jose),
);
