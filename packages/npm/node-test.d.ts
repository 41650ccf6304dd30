import type { Claims, Expectation, Kind, Profile, Vector, VectorFile } from "./index.js";

/** What `testVectors` registers, and how it judges. */
export interface TestVectorsOptions {
  kind?: Kind | Kind[];
  category?: VectorFile["category"] | VectorFile["category"][];
  /** One profile: one test per vector, named by its id. Omitted: both, `<id> [<profile>]` for the per-profile kinds. */
  profile?: Profile;
  /** A list's path, or the Map `parseExpectedFailures` gives. */
  expectedFailures?: string | Map<string, string>;
  /** Vectors carrying any of these flags are skipped. */
  skipFlags?: string[];
  /** Passed to `compare`. */
  claims?: Claims;
}

/** An answer in the vectors' shape; null, undefined or `{ unsupported }` when the vector is not implemented. */
export type Answer = Expectation | { unsupported: string } | null | undefined;

/** Registers one node:test `test()` per vector. */
export declare function testVectors(
  options: TestVectorsOptions,
  fn: (vector: Vector & { category: VectorFile["category"] }, profile: Profile) => Answer | Promise<Answer>,
): void;
