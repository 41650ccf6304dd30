// panva's jose on caveatspec's DPoP, JWK thumbprint and ATR vectors, as a user of the package
// tests it: jose's own jwtVerify and calculateJwkThumbprint under the package's dpop and atr
// checks (its jose module), judged as the conformance matrix judges the npm-jose adapter
// (codes only when sent, no messages, only the fields it produces).
import * as jose from "jose";

import { joseVerifiers } from "caveatspec-vectors/jose";
import { testVectors } from "caveatspec-vectors/node-test";

const verifiers = joseVerifiers(jose);
const claims = { codesWhenSent: true, messages: false, onlySentFields: true };

for (const [kind, verify] of Object.entries(verifiers)) {
  testVectors({ kind, profile: "strict", claims }, (vector) => verify(vector.input));
}
