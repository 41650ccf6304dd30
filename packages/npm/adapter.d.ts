import type { Expectation, Kind, Profile, VectorFile } from "./index.js";

/** The largest request line read; a longer one ends the process (status 2). */
export declare const MAX_REQUEST_BYTES: number;
/** The protocol's reserved code namespace. */
export declare const ADAPTER_CODE_PREFIX: "adapter.";
/** Decision D3's code: an earlier proof of `input.replay` was refused. */
export declare const EARLIER_PROOF_REFUSED: "adapter.earlier_proof_refused";

/** A refusal in the vectors' shape. */
export type Refusal = { valid: false; codes?: string[]; message?: string };
/** An input the implementation has no way to express. */
export type Unsupported = { unsupported: string };
/** What a handler answers: the vectors' shape (produced fields beside `valid`), or unsupported. */
export type Answer = Expectation | Unsupported;

/** A refusal, with `code` only when the check that refused is known. */
export declare function invalid(code?: string | null, message?: string | null): Refusal;
/** The implementation has no way to express this input. */
export declare function unsupported(why?: string): Unsupported;
/** Decision D3: earlier proof `index` (0-based) of `input.replay` was refused. */
export declare function earlierProofRefused(index: number, why: string): Refusal & { codes: ["adapter.earlier_proof_refused"] };
/** A library error in a few words: its code (or class name) and message. */
export declare function describeError(error: unknown): string;
/** The version of installed package `name`, from the package.json above where `resolve(name)` points. */
export declare function installedVersion(name: string, resolve: (specifier: string) => string): string;

/** One request of the protocol. */
export interface Request {
  type: "request";
  id: string;
  kind: Kind;
  category: VectorFile["category"];
  profile: Profile;
  input: unknown;
}

/** One response of the protocol. */
export type Response = {
  type: "response";
  id: string;
  outcome: "valid" | "invalid" | "unsupported";
  codes?: string[];
  message?: string;
  value?: Record<string, unknown>;
};

/** The protocol response for a handler's answer; throws a TypeError for something that is not an answer. */
export declare function response(id: string, answer: Answer): Response;

/** The hello's fields an adapter gives (`type`, `protocol` are added; `kinds` defaults to the handlers'). */
export interface Hello {
  name: string;
  version: string;
  language: string;
  profile: Profile;
  kinds?: Kind[];
  categories?: VectorFile["category"][];
  messages?: boolean;
}

/** A kind's handler: takes the request's input (and the request), answers, possibly async. */
export type Handler = (input: any, request: Request) => Answer | Promise<Answer>;

/**
 * Writes the hello, then answers each request line, one at a time, until stdin ends. A request
 * line that cannot be read ends the process with status 2, a handler that throws with status 1.
 */
export declare function serve(
  hello: Hello,
  handlers: Partial<Record<Kind, Handler>>,
  streams?: { input?: AsyncIterable<Uint8Array>; output?: { write(text: string): unknown } },
): Promise<void>;
