import type { atrJwt } from "./atr.js";
import type { dpopProof, jwkThumbprint } from "./dpop.js";

/** The code a jose error names for a profile, else null. */
export declare function joseErrorCode(error: unknown, profile: "dpop" | "atr"): string | null;

/** The parts of jose's API the operations call (`import * as jose from "jose"`). */
export interface Jose {
  jwtVerify(token: string, key: unknown, options: Record<string, unknown>): Promise<{ payload: Record<string, unknown> }>;
  EmbeddedJWK: unknown;
  decodeProtectedHeader(token: string): Record<string, unknown>;
  calculateJwkThumbprint(jwk: unknown, digest: "sha256"): Promise<string>;
}

/** The dpop_proof, jwk_thumbprint and atr_jwt operations over jose. */
export declare function joseVerifiers(jose: Jose): {
  dpop_proof: ReturnType<typeof dpopProof>;
  jwk_thumbprint: ReturnType<typeof jwkThumbprint>;
  atr_jwt: ReturnType<typeof atrJwt>;
};
