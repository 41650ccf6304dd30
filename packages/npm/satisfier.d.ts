import type {
  CaveatOutcome, CaveatVector, DecodeOutcome, DecodeVector, MintVector, Produced, Profile, Restrictions, RestrictVector,
  VerifyInput, VerifyOutcome,
} from "./index.js";

/** An answer PyPI's caveats cannot express. */
export type Unsupported = { unsupported: string };
/** A refusal without codes (the library's message only). */
export type Refusal = { valid: false; codes?: string[]; message?: string };

/** The profiles caveats are read in; `warehouse` is every function's default. */
export declare const PROFILES: readonly Profile[];
/** The profile to read in (default `warehouse`). */
export type ProfileOption = { profile?: Profile };

/** A caveat or token that cannot be read; `code` names the refusing check (strict), else null. */
export declare class Unmet extends Error {
  constructor(message: string, code?: string | null);
  readonly code: string | null;
}

/**
 * The macaroon text of a `pypi-` token; throws when it has no `pypi-` prefix or no body.
 * Strict: also at most 16,384 characters and canonical base64url, each refusal an `Unmet` with its code.
 */
export declare function tokenBody(token: string, options?: ProfileOption): string;
/** The bytes of a body `tokenBody(…, { profile: "strict" })` returned. */
export declare function bodyBytes(body: string): Uint8Array;
/** The kind a `caveat` vector's input reads as; throws what refuses it (strict: an `Unmet` with its code). */
export declare function caveatKind(input: CaveatVector["input"], options?: ProfileOption): Extract<CaveatOutcome, { valid: true }>["kind"];
/** The SPEC §4.6 form of a caveat the strict profile reads; throws an `Unmet` with its code otherwise. */
export declare function canonical(input: CaveatVector["input"]): string;

/** A caveat: text, or (strict) its bytes. */
export type Caveat = string | Uint8Array;

/** The request a `verify` vector's input describes, in a profile. */
export declare class Request {
  constructor(input: VerifyInput, options?: ProfileOption);
  readonly profile: Profile;
  /** Whether the caveat holds (an unreadable caveat does not): a general-caveat hook. */
  satisfies(caveat: Caveat): boolean;
  /** Strict only: null when the caveat holds, else the code of why not. */
  failure(caveat: Caveat): string | null;
}

/** Whether a macaroon's identifier finds `row` (strict: exactly its canonical id). */
export declare function rowMatches(identifier: Uint8Array, row: VerifyInput["row"], options?: ProfileOption): boolean;
/** The row's stored caveats, to append after the embedded ones. */
export declare function storedCaveats(row: VerifyInput["row"], options?: ProfileOption): string[];
/** SPEC §3.7's rules over what a library decoded; throws an `Unmet` with the first failing rule's code. */
export declare function strictMacaroon(macaroon: {
  version: number;
  location: string | undefined;
  identifier: Uint8Array;
  caveats: { identifier: Uint8Array; location?: string | null; vid?: Uint8Array | null }[];
  signature: Uint8Array;
  raw: Uint8Array;
}): void;
/** SPEC §5.4 steps 3 to 6: the strict codes refusing the token, [] when it is valid. */
export declare function strictFailures(request: Request, caveats: Caveat[], signatureMatches: () => boolean): string[];
/** A project name as PyPI stores it in a caveat. */
export declare function normalizeName(name: string): string;
/** The caveats PyPI writes for restrictions, or the code refusing them. */
export declare function restrictionCaveats(
  restrictions: Restrictions,
  attenuating: boolean,
): { caveats: string[] } | { codes: [string] };

/** The npm `macaroon` package's API, as far as the satisfier uses it. */
export interface MacaroonLibrary {
  importMacaroon(text: string | Uint8Array): unknown;
  newMacaroon(options: { version: number; rootKey: Uint8Array; identifier: string; location: string }): unknown;
  bytesToBase64(bytes: Uint8Array): string;
}

/** The decode, mint and restrict operations over `lib`, answering in the vectors' shape. */
export declare function pypi(lib: MacaroonLibrary): {
  decode(input: DecodeVector["input"]): DecodeOutcome | Refusal;
  mint(input: MintVector["input"]): Produced | Refusal | Unsupported;
  restrict(input: RestrictVector["input"]): Produced | Refusal | Unsupported;
};

/** The decode, caveat and verify operations over `lib` in a profile, answering in the vectors' shape. */
export declare function pypiVerifiers(lib: MacaroonLibrary, options?: ProfileOption): {
  decode(input: DecodeVector["input"]): DecodeOutcome | Refusal;
  caveat(input: CaveatVector["input"]): CaveatOutcome | Refusal | { valid: true; kind: string };
  verify(input: VerifyInput): VerifyOutcome | Refusal | { valid: boolean };
};
