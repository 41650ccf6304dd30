import type { Refusal, Unsupported } from "./adapter.js";
import type { DpopProofVector, JwkThumbprintVector } from "./index.js";

/** The algorithms a DPoP proof may use. */
export declare const DPOP_ALGORITHMS: readonly ["ES256", "EdDSA", "Ed25519"];
/** The key types the vectors take a thumbprint of. */
export declare const JWK_KEY_TYPES: readonly ["EC P-256", "OKP Ed25519", "RSA"];
export declare const MAX_PROOF_BYTES: 8192;
/** How old a proof's iat may be, in seconds. */
export declare const MAX_AGE: 300;
/** How far ahead a proof's iat may be, in seconds. */
export declare const SKEW: 60;

export type DpopAlgorithm = (typeof DPOP_ALGORITHMS)[number];
export type JwkKeyType = (typeof JWK_KEY_TYPES)[number];

/** A request URL or `htu` as SPEC §10.3 step 10 normalizes it; throws for one it refuses. */
export declare function normalizeHtu(url: string): string;
/** The JWS header read at its most lenient; throws when there is none to read. */
export declare function readHeader(proof: string): Record<string, unknown>;

/** What the DPoP checks ask of the library's verification. */
export interface DpopVerifyOptions {
  /** The vector's clock, Unix seconds. */
  now: number;
  typ: "dpop+jwt";
  /** The algorithms to allow: the library's, within DPOP_ALGORITHMS. */
  algorithms: DpopAlgorithm[];
  requiredClaims: string[];
  /** iat may be this many seconds old… */
  maxAge: number;
  /** …and this many ahead. */
  skew: number;
}

/** A JOSE library, as functions. */
export interface DpopLibrary {
  /** Verifies the proof; gives its claims, throws when the library refuses it. */
  verify(proof: string, options: DpopVerifyOptions): Record<string, unknown> | Promise<Record<string, unknown>>;
  /** The RFC 7638 SHA-256 thumbprint, base64url; throws when there is none. */
  thumbprint(jwk: unknown): string | Promise<string>;
  /** The code a library error names, else null. */
  codeOf?(error: unknown, profile: "dpop" | "atr"): string | null | undefined;
  /** The DPoP algorithms the library implements (default: all). */
  algorithms?: DpopAlgorithm[];
  /** The library's own header reader (default: readHeader). */
  readHeader?(proof: string): Record<string, unknown>;
}

/** The dpop_proof operation over a library. */
export declare function dpopProof(
  library: DpopLibrary,
): (input: DpopProofVector["input"]) => Promise<{ valid: true; jkt: string; jti: string } | Refusal | Unsupported>;

/** The jwk_thumbprint operation over a library's thumbprint function. */
export declare function jwkThumbprint(library: {
  thumbprint(jwk: unknown): string | Promise<string>;
  /** The key types the library implements (default: all). */
  keyTypes?: JwkKeyType[];
}): (input: JwkThumbprintVector["input"]) => Promise<{ valid: true; thumbprint: string } | Refusal | Unsupported>;
