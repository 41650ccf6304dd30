import type { Refusal } from "./adapter.js";
import type { AtrJwtVector } from "./index.js";

/** ATR's leeway, in seconds. */
export declare const LEEWAY: 120;
/** The claims ATR requires. */
export declare const REQUIRED_CLAIMS: readonly ["sub", "iss", "aud", "iat", "nbf", "exp", "jti"];

/** The token of an Authorization value by ATR's rule, or null when the rule refuses it. */
export declare function bearerToken(authorization: string): string | null;

/** What ATR's check asks of the library's verification. */
export interface AtrVerifyOptions {
  /** The HMAC key: the UTF-8 bytes of the vector's hex string. */
  key: Uint8Array;
  algorithms: ["HS256"];
  issuer: string;
  audience: string;
  /** Seconds of tolerance for exp, nbf and iat. */
  leeway: number;
  /** The vector's clock, Unix seconds. */
  now: number;
  requiredClaims: string[];
}

/** The atr_jwt operation over a library. */
export declare function atrJwt(library: {
  verify(token: string, options: AtrVerifyOptions): Record<string, unknown> | Promise<Record<string, unknown>>;
  codeOf?(error: unknown, profile: "dpop" | "atr"): string | null | undefined;
}): (input: AtrJwtVector["input"]) => Promise<{ valid: true; sub: string; jti: string } | Refusal>;
