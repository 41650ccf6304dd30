// Expected-failure lists, in the format of the Rust crate's `ExpectedFailures`
// (crates/vectors/src/harness.rs): one entry per line, a vector id (every profile) or a test
// name `<id> [<profile>]` (one profile), then `# reason`. Blank lines and lines starting with
// `#` are ignored. An entry without a reason is refused (a known failure nobody can explain is
// not known), as is an entry listed twice and, given the vectors, one that names none of them.

const PER_PROFILE = ["decode", "caveat", "verify"];
const PROFILE_NAMES = ["warehouse", "strict"];
/** How much of a hostile name an error shows. */
const MAX_NAME_SHOWN = 120;

/** The test name of a vector under `profile`: `<id> [<profile>]` for the per-profile kinds, else the id. */
export function testName(id, kind, profile) {
  return PER_PROFILE.includes(kind) ? `${id} [${profile}]` : id;
}

/** A line of an expected-failure list that cannot be used: `line` (from 1) and `problem`. */
export class ListError extends Error {
  constructor(line, problem, name) {
    const quoted = name === undefined ? "" : shownName(name);
    const text = {
      "no-reason": "an expected failure needs `# reason`",
      "unknown-id": `no vector has the id ${quoted}`,
      repeated: `${quoted} is listed twice`,
      "not-utf8": "not UTF-8",
    }[problem];
    super(`line ${line}: ${text}`);
    this.name = "ListError";
    this.line = line;
    this.problem = problem;
  }
}

/** A name as an error shows it: JSON-quoted (control characters escaped) and cut. */
function shownName(name) {
  const cut = name.length > MAX_NAME_SHOWN ? `${name.slice(0, MAX_NAME_SHOWN)}…` : name;
  return JSON.stringify(cut);
}

/** Text from a string, or from bytes that must be UTF-8 (refused with the line of the first bad byte). */
function textOf(input) {
  if (typeof input === "string") return input;
  const bytes = input instanceof Uint8Array ? input : null;
  if (!bytes) throw new TypeError("an expected-failure list is a string or bytes");
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    // The line of the first invalid byte: decode prefix by prefix would be quadratic, so
    // find the longest valid prefix by walking UTF-8 sequences.
    let i = 0;
    let line = 1;
    while (i < bytes.length) {
      const b = bytes[i];
      const len = b < 0x80 ? 1 : b >> 5 === 6 ? 2 : b >> 4 === 14 ? 3 : b >> 3 === 30 ? 4 : 0;
      if (len === 0 || i + len > bytes.length) break;
      try {
        new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(i, i + len));
      } catch {
        break;
      }
      if (b === 0x0a) line += 1;
      i += len;
    }
    throw new ListError(line, "not-utf8");
  }
}

/**
 * Reads a list (a string, or UTF-8 bytes) into a Map from name (id or `<id> [<profile>]`) to
 * reason. With `files` (what `load()` gives), every name must name one of their vectors.
 * Throws a ListError naming the first bad line.
 */
export function parseExpectedFailures(input, files) {
  const entries = new Map();
  const lines = textOf(input).split(/\r?\n/);
  const known = files ? knownNames(files) : null;
  lines.forEach((raw, n) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const hash = line.indexOf("#");
    const name = hash < 0 ? line : line.slice(0, hash).trim();
    const reason = hash < 0 ? "" : line.slice(hash + 1).trim();
    if (reason === "") throw new ListError(n + 1, "no-reason");
    if (entries.has(name)) throw new ListError(n + 1, "repeated", name);
    if (known && !known.has(name)) throw new ListError(n + 1, "unknown-id", name);
    entries.set(name, reason);
  });
  return entries;
}

/** Every name a list may use for the vectors of `files`: ids, and test names per profile. */
function knownNames(files) {
  const names = new Set();
  for (const file of files) {
    for (const v of file.vectors) {
      names.add(v.id);
      for (const p of PROFILE_NAMES) names.add(testName(v.id, v.kind, p));
    }
  }
  return names;
}
