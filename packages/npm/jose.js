// panva's `jose` (6.x) under the dpop and atr modules: the calls into jose, and which of jose's
// errors name a check. jose is given, never imported (the package has no dependencies), so a
// test of jose, or of a verifier built on it, passes its own copy:
//
//   import * as jose from "jose";
//   const verifiers = joseVerifiers(jose); // { dpop_proof, jwk_thumbprint, atr_jwt }
//
// jose checks, for DPoP: the header (its own reader), `typ` in jose's comparison, the algorithm
// list, `crit`, the embedded key (EmbeddedJWK refuses a private or symmetric one), the signature,
// the required claims and `iat` with its clock (`currentDate`, `clockTolerance`, `maxTokenAge`);
// for ATR: HS256 with ATR's issuer, audience, leeway and required claims.
import { atrJwt } from "./atr.js";
import { dpopProof, jwkThumbprint } from "./dpop.js";

/** Per check, the claim jose names in a claim error, by profile. */
const CLAIM_CODES = {
  dpop: { typ: "dpop.typ", iat: "dpop.iat_in_future" },
  atr: { iss: "atr.issuer", aud: "atr.audience", nbf: "atr.immature" },
};

/**
 * The code a jose error names for `profile` ("dpop" or "atr"), from its `code`, and its
 * `claim` and `reason` for claim errors; null when the error does not say which check failed.
 */
export function joseErrorCode(e, profile) {
  switch (e?.code) {
    case "ERR_JOSE_ALG_NOT_ALLOWED":
      return `${profile}.alg`;
    case "ERR_JWS_SIGNATURE_VERIFICATION_FAILED":
      return `${profile}.signature`;
    case "ERR_JWT_EXPIRED":
      return profile === "dpop" ? (e.claim === "iat" ? "dpop.iat_too_old" : null) : "atr.expired";
    case "ERR_JWT_CLAIM_VALIDATION_FAILED":
      if (e.reason === "missing") return `${profile}.missing_claim`;
      if (e.reason === "invalid") return profile === "atr" && e.claim === "iat" ? "atr.iat" : `${profile}.claim_type`;
      return Object.hasOwn(CLAIM_CODES[profile], e.claim) ? CLAIM_CODES[profile][e.claim] : null;
    case "ERR_JWT_INVALID":
      return `${profile}.malformed`;
    case "ERR_JWS_INVALID":
      if (/crit|Extension Header Parameter/i.test(e.message)) return `${profile}.crit`;
      if (/"alg"/.test(e.message)) return `${profile}.alg`;
      return /jwk|JSON Web Key/i.test(e.message) ? null : `${profile}.malformed`;
    case "ERR_JOSE_NOT_SUPPORTED":
      return /Extension Header Parameter/.test(e.message) ? `${profile}.crit` : null;
    default:
      return null;
  }
}

/** The dpop_proof, jwk_thumbprint and atr_jwt operations over `jose` (the module's namespace). */
export function joseVerifiers(jose) {
  const currentDate = (now) => new Date(now * 1000);
  const thumbprint = (jwk) => jose.calculateJwkThumbprint(jwk, "sha256");
  return {
    dpop_proof: dpopProof({
      algorithms: ["ES256", "EdDSA", "Ed25519"],
      readHeader: jose.decodeProtectedHeader,
      thumbprint,
      codeOf: joseErrorCode,
      async verify(proof, { now, typ, algorithms, requiredClaims, maxAge, skew }) {
        // jose refuses iat older than now - (maxTokenAge + clockTolerance).
        const options = { typ, algorithms, requiredClaims, currentDate: currentDate(now), clockTolerance: skew, maxTokenAge: maxAge - skew };
        return (await jose.jwtVerify(proof, jose.EmbeddedJWK, options)).payload;
      },
    }),
    jwk_thumbprint: jwkThumbprint({ thumbprint }),
    atr_jwt: atrJwt({
      codeOf: joseErrorCode,
      async verify(token, { key, now, leeway, ...checks }) {
        const options = { ...checks, clockTolerance: leeway, currentDate: currentDate(now) };
        return (await jose.jwtVerify(token, key, options)).payload;
      },
    }),
  };
}
