// Apache Trusted Releases' API JWTs (spec/SPEC.md §10.6) over a JOSE library: ATR's
// `Authorization` rule and its check that `sub` and `jti` are strings are here; the library
// verifies the HS256 JWT with ATR's arguments. The library is given as functions:
//
//   verify(token, { key, algorithms, issuer, audience, leeway, now, requiredClaims }) → the
//     claims; throws when the library refuses the token. `key` is the HMAC key's bytes (the
//     UTF-8 text of the vector's hex string, as ATR uses it), `now` Unix seconds for the
//     library's clock (decision D4), `leeway` seconds of tolerance for exp, nbf and iat.
//   codeOf(error, "atr") → the code a library error names (decision D5), else null.
import { describeError, invalid } from "./adapter.js";

/** ATR's leeway, in seconds. */
export const LEEWAY = 120;
/** The claims ATR requires. */
export const REQUIRED_CLAIMS = Object.freeze(["sub", "iss", "aud", "iat", "nbf", "exp", "jti"]);

/**
 * The token of an `Authorization` value as ATR reads it: split at the first space, the scheme
 * compared lower-cased with `bearer`, the rest the token as it is; null when the rule refuses.
 */
export function bearerToken(authorization) {
  const space = authorization.indexOf(" ");
  if (space < 0 || authorization.slice(0, space).toLowerCase() !== "bearer") return null;
  return authorization.slice(space + 1);
}

/**
 * The `atr_jwt` vectors' operation over a library: `(input) => Promise<answer>`, answering
 * `{ valid: true, sub, jti }` or a refusal.
 */
export function atrJwt({ verify, codeOf = () => null }) {
  return async function atr_jwt(input) {
    const token = bearerToken(input.authorization);
    if (token === null) return invalid("atr.bearer");
    let claims;
    try {
      claims = await verify(token, {
        key: new TextEncoder().encode(input.key),
        algorithms: ["HS256"],
        issuer: input.iss_aud,
        audience: input.iss_aud,
        leeway: LEEWAY,
        now: input.now,
        requiredClaims: [...REQUIRED_CLAIMS],
      });
    } catch (e) {
      return invalid(codeOf(e, "atr") ?? null, describeError(e));
    }
    if (typeof claims.sub !== "string" || typeof claims.jti !== "string") return invalid("atr.claim_type");
    return { valid: true, sub: claims.sub, jti: claims.jti };
  };
}
