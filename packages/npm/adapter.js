// The adapter protocol (spec/adapter-protocol.md) for JavaScript adapters: the hello, then one
// response line per request line, in order, one request at a time. Handlers answer in the
// vectors' shape (`{ valid, codes, message, ...produced fields }`, or `{ unsupported }`), the
// shape `compare` and the node:test helper take, so one function serves an adapter and a test.
//
// What the loop does with what it cannot answer:
// - a request line it cannot read (over MAX_REQUEST_BYTES, not UTF-8, not JSON, not a request)
//   ends the process with status 2 and one line on stderr naming the line's number and the
//   problem, never the line itself (it holds tokens and proofs). Such a line means the stream
//   is out of step with the runner, and any answer would be a guess; the runner counts the
//   vector crashed and restarts the adapter.
// - a handler that throws (or answers something that is not an answer) ends the process with
//   status 1 and the error on stderr. An exception is the adapter's bug or the library's
//   crash, not a verdict: answering `invalid` would pass every invalid vector it hits, while a
//   crash is counted as one, in its own class, for someone to look at.
// - a kind without a handler is answered `unsupported`.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** The largest request line read; a longer one ends the process before it is held whole. */
export const MAX_REQUEST_BYTES = 8 * 1024 * 1024;
/** The protocol's reserved code namespace: codes the adapter writes about itself. */
export const ADAPTER_CODE_PREFIX = "adapter.";
/** The code of decision D3: an earlier proof of `input.replay` was refused, so the vector was not tested. */
export const EARLIER_PROOF_REFUSED = "adapter.earlier_proof_refused";

const PROFILES = ["warehouse", "strict"];

/** A refusal; `code` only when the check that refused is known (glue, or a library error naming it). */
export function invalid(code, message) {
  const answer = { valid: false };
  if (code !== undefined && code !== null) answer.codes = [code];
  if (message !== undefined && message !== null) answer.message = message;
  return answer;
}

/** The implementation has no way to express this input (e.g. an algorithm it does not implement). */
export function unsupported(why) {
  return why === undefined ? { unsupported: "" } : { unsupported: why };
}

/**
 * Decision D3: earlier proof `index` (0-based, into `input.replay`) was refused, although each is
 * valid at its own `now`; the vector was not tested, and the runner judges this answer a failure.
 */
export function earlierProofRefused(index, why) {
  return invalid(EARLIER_PROOF_REFUSED, `earlier proof ${index} refused: ${why}`);
}

/** A library error in a few words for a message: its `code` (or class name) and its message. */
export function describeError(e) {
  // A DOMException's `code` is a number, often 0: its name says more.
  const label = typeof e?.code === "string" && e.code !== "" ? e.code : (e?.name ?? "error");
  return `${label}: ${e?.message ?? String(e)}`;
}

/**
 * The `version` of an installed package: the package.json named `name` found walking up from
 * where `resolve(name)` points (`require.resolve`, or `(s) => fileURLToPath(import.meta.resolve(s))`),
 * since many packages (jose among them) do not export their package.json.
 */
export function installedVersion(name, resolve) {
  let dir = dirname(resolve(name));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
      if (pkg.name === name && typeof pkg.version === "string") return pkg.version;
    } catch (e) {
      if (e.code !== "ENOENT") throw e;
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json of ${name} above ${resolve(name)}`);
    dir = up;
  }
}

/** Why the loop stops: `status` 2 for a request it cannot read, 1 for a handler's failure. */
class Stop extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** The protocol response for a handler's answer (its `value` holds every produced field). */
export function response(id, answer) {
  if (typeof answer !== "object" || answer === null || Array.isArray(answer)) {
    throw new TypeError("the handler's answer is not an object");
  }
  if (Object.hasOwn(answer, "unsupported")) {
    const r = { type: "response", id, outcome: "unsupported" };
    if (typeof answer.unsupported === "string" && answer.unsupported !== "") r.message = answer.unsupported;
    return r;
  }
  const { valid, codes, message, ...value } = answer;
  if (typeof valid !== "boolean") throw new TypeError("the handler's answer has no boolean `valid`");
  if (codes !== undefined && !(Array.isArray(codes) && codes.every((c) => typeof c === "string"))) {
    throw new TypeError("the handler's answer has `codes` that are not a list of strings");
  }
  const r = { type: "response", id, outcome: valid ? "valid" : "invalid" };
  if (codes !== undefined) r.codes = codes;
  if (message !== undefined && message !== null) r.message = String(message);
  if (valid && Object.keys(value).length > 0) r.value = value;
  return r;
}

/** Lines of bytes from a stream, each checked against the bound before it is held whole. */
async function* lines(input) {
  let pending = [];
  let pendingBytes = 0;
  for await (const chunk of input) {
    let start = 0;
    for (let nl = chunk.indexOf(0x0a); nl >= 0; nl = chunk.indexOf(0x0a, start)) {
      if (pendingBytes + nl - start > MAX_REQUEST_BYTES) yield null;
      pending.push(chunk.subarray(start, nl));
      yield Buffer.concat(pending);
      pending = [];
      pendingBytes = 0;
      start = nl + 1;
    }
    pending.push(chunk.subarray(start));
    pendingBytes += chunk.length - start;
    if (pendingBytes > MAX_REQUEST_BYTES) yield null;
  }
  if (pendingBytes > 0) yield Buffer.concat(pending);
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
/** Blank: JSON's own white space only. */
const BLANK = /^[ \t\r]*$/;

/** The request on line `n`, or a Stop saying why there is none. */
function readRequest(bytes, n) {
  if (bytes === null) throw new Stop(2, `request line ${n} is over ${MAX_REQUEST_BYTES} bytes`);
  let text;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new Stop(2, `request line ${n} is not UTF-8`);
  }
  if (BLANK.test(text)) return null;
  let req;
  try {
    req = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text, which may hold a credential: say only where.
    throw new Stop(2, `request line ${n} is not JSON (${bytes.length} bytes)`);
  }
  const ok =
    typeof req === "object" && req !== null && req.type === "request" &&
    typeof req.id === "string" && typeof req.kind === "string" && Object.hasOwn(req, "input");
  if (!ok) throw new Stop(2, `request line ${n} is not a request (type "request", string id and kind, input)`);
  return req;
}

function checkHello(hello) {
  for (const field of ["name", "version", "language"]) {
    if (typeof hello?.[field] !== "string" || hello[field] === "") {
      throw new TypeError(`the hello needs a non-empty string \`${field}\``);
    }
  }
  if (!PROFILES.includes(hello.profile)) throw new TypeError('the hello\'s `profile` is "warehouse" or "strict"');
}

/**
 * Speaks the protocol on stdin and stdout until stdin ends: writes the hello (`name`, `version`,
 * `language`, `profile`, and optionally `categories` and `messages`; `kinds` defaults to the
 * handlers' names), then answers each request with `handlers[kind](input, request)`, which may be
 * async and is awaited before the next line is read. Resolves when stdin ends; ends the process
 * as the module comment says when it cannot go on.
 */
export async function serve(hello, handlers, { input = process.stdin, output = process.stdout } = {}) {
  checkHello(hello);
  const write = (message) => output.write(JSON.stringify(message) + "\n");
  write({ kinds: Object.keys(handlers), ...hello, type: "hello", protocol: 1 });
  let n = 0;
  try {
    for await (const bytes of lines(input)) {
      n += 1;
      const req = readRequest(bytes, n);
      if (req === null) continue;
      const handler = Object.hasOwn(handlers, req.kind) ? handlers[req.kind] : null;
      if (handler === null) {
        write({ type: "response", id: req.id, outcome: "unsupported" });
        continue;
      }
      let answer;
      try {
        answer = response(req.id, await handler(req.input, req));
      } catch (e) {
        const why = e?.stack ?? String(e);
        throw new Stop(1, `the ${req.kind} handler failed on request ${JSON.stringify(req.id)} (line ${n}): ${why}`);
      }
      write(answer);
    }
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
    process.stderr.write(`caveatspec-vectors/adapter: ${e.message}\n`);
    process.exit(e.status);
  }
}
