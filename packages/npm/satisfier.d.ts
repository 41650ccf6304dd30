import type { DecodeOutcome, MintVector, Produced, Restrictions, RestrictVector, DecodeVector } from "./index.js";

/** An answer PyPI's caveats cannot express. */
export type Unsupported = { unsupported: string };
/** A refusal without codes (the library's message only). */
export type Refusal = { valid: false; codes?: string[]; message?: string };

/** The macaroon text of a `pypi-` token; throws when it has no `pypi-` prefix or no body. */
export declare function tokenBody(token: string): string;
/** A project name as PyPI stores it in a caveat. */
export declare function normalizeName(name: string): string;
/** The caveats PyPI writes for restrictions, or the code refusing them. */
export declare function restrictionCaveats(
  restrictions: Restrictions,
  attenuating: boolean,
): { caveats: string[] } | { codes: [string] };

/** The npm `macaroon` package's API, as far as the satisfier uses it. */
export interface MacaroonLibrary {
  importMacaroon(text: string): unknown;
  newMacaroon(options: { version: number; rootKey: Uint8Array; identifier: string; location: string }): unknown;
  bytesToBase64(bytes: Uint8Array): string;
}

/** The decode, mint and restrict operations over `lib`, answering in the vectors' shape. */
export declare function pypi(lib: MacaroonLibrary): {
  decode(input: DecodeVector["input"]): DecodeOutcome | Refusal;
  mint(input: MintVector["input"]): Produced | Refusal | Unsupported;
  restrict(input: RestrictVector["input"]): Produced | Refusal | Unsupported;
};
