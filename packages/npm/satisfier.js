// PyPI's layer over a JavaScript macaroon library: the `pypi-` token text, the caveat JSON PyPI
// writes for restrictions, and PyPI's caveat language read in either profile of spec/SPEC.md:
// `warehouse` (the default: what PyPI accepts today) or `strict` (the fail-closed reading for a
// new verifier, every refusal with its code, and the key binding `[5, jkt]`). The library does
// base64, the binary format, the HMAC chain and serialization; this module knows nothing of them
// beyond the npm `macaroon` package's API (importMacaroon, newMacaroon, bytesToBase64,
// addFirstPartyCaveat, verify, exportBinary), which it is given, not imports. Answers are in
// the vectors' shape (`valid`, `codes`, `message`, produced fields), ready for `compare`;
// `{ unsupported: why }` for an input PyPI's caveats cannot express.
import { NonInteger, readJson } from "./caveat-json.js";

const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

/** The profiles caveats are read in; `warehouse` is every function's default. */
export const PROFILES = Object.freeze(["warehouse", "strict"]);

function checkProfile(profile) {
  if (!PROFILES.includes(profile)) {
    throw new TypeError(`unknown profile ${String(profile)} (expected "warehouse" or "strict")`);
  }
  return profile;
}

/** A caveat or token that cannot be read; `code` names the refusing check (strict), else null. */
export class Unmet extends Error {
  constructor(message, code = null) {
    super(message);
    this.name = "Unmet";
    this.code = code;
  }
}

const refuse = (code) => {
  throw new Unmet(code, code);
};

const MAX_TOKEN_CHARS = 16384;
const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** Characters (code points) in `s`, counting no further than `limit + 1`. */
function codePoints(s, limit) {
  if (s.length <= limit) return s.length;
  if (s.length > 2 * (limit + 1)) return limit + 1;
  let n = 0;
  for (const _ of s) if (++n > limit) break;
  return n;
}

/**
 * The macaroon text of a `pypi-` token; throws when the token has no such prefix or no body.
 * Strict (SPEC §2.1, §2.3): first at most 16,384 characters, then the prefix, then a body in
 * canonical unpadded base64url; each refusal an `Unmet` with its code.
 */
export function tokenBody(token, { profile = "warehouse" } = {}) {
  const strict = checkProfile(profile) === "strict";
  if (strict && typeof token === "string" && codePoints(token, MAX_TOKEN_CHARS) > MAX_TOKEN_CHARS) {
    refuse("token.too_long");
  }
  const dash = typeof token === "string" ? token.indexOf("-") : -1;
  if (dash < 0 || token.slice(0, dash) !== "pypi" || dash === token.length - 1) {
    if (!strict) throw new Error("not a pypi- token");
    refuse(dash < 0 ? "token.no_prefix" : token.slice(0, dash) !== "pypi" ? "token.wrong_prefix" : "token.empty_body");
  }
  const body = token.slice(dash + 1);
  if (strict && !canonicalBase64url(body)) refuse("token.noncanonical_base64");
  return body;
}

/** RFC 4648 §5 without padding, and no bit set that the decoded bytes do not hold. */
function canonicalBase64url(body) {
  if (!/^[A-Za-z0-9_-]*$/.test(body) || body.length % 4 === 1) return false;
  const unusedBits = [0, 0, 4, 2][body.length % 4];
  return body === "" || (BASE64URL.indexOf(body.at(-1)) & ((1 << unusedBits) - 1)) === 0;
}

/** The bytes of a body `tokenBody(…, { profile: "strict" })` returned (canonical base64url). */
export function bodyBytes(body) {
  const binary = atob(body.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

const NAME = /^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** A project name as PyPI stores it in a caveat (PEP 503 normalization). */
export const normalizeName = (n) => n.replace(/[-_.]+/g, "-").toLowerCase();

/**
 * The caveats PyPI writes for `restrictions` (compact JSON, fixed order), after the checks
 * spec/SPEC.md gives for them: `{ caveats }`, or `{ codes: [code] }` when they cannot be
 * written. `attenuating` is true for restricting an existing token, where no restriction at
 * all is refused.
 */
export function restrictionCaveats(r, attenuating) {
  const refuse = (code) => ({ codes: [code] });
  if (attenuating && Object.keys(r).length === 0) return refuse("restrict.nothing");
  const out = [];
  const nb = r.not_before;
  const na = r.not_after;
  if ((nb === undefined) !== (na === undefined)) return refuse("restrict.window_incomplete");
  if (nb !== undefined) {
    if (nb < 0 || na < 0) return refuse("restrict.window_negative");
    if (nb >= na) return refuse("restrict.window_empty");
    out.push([0, na, nb]);
  }
  if (r.project_names !== undefined) {
    if (r.project_names.length === 0) return refuse("restrict.empty_list");
    if (!r.project_names.every((n) => NAME.test(n))) return refuse("restrict.invalid_name");
    out.push([1, r.project_names.map(normalizeName)]);
  }
  if (r.project_ids !== undefined) {
    if (r.project_ids.length === 0) return refuse("restrict.empty_list");
    if (!r.project_ids.every((i) => UUID.test(i))) return refuse("restrict.invalid_uuid");
    out.push([2, r.project_ids]);
  }
  if (r.user_id !== undefined) {
    if (!UUID.test(r.user_id)) return refuse("restrict.invalid_uuid");
    out.push([3, r.user_id]);
  }
  return { caveats: out.map((c) => JSON.stringify(c)) };
}

/**
 * The decode, mint and restrict vectors' operations for `lib`, the npm `macaroon` package
 * (or one with its API), each taking a vector's `input`.
 */
export function pypi(lib) {
  const message = (e) => String(e?.message ?? e);

  function produce(m, restrictions, attenuating) {
    // `bind_jkt` asks for the strict profile's key-binding caveat (tag 5), which PyPI never writes.
    if ("bind_jkt" in restrictions) {
      return { unsupported: "no key-binding caveat (bind_jkt) in PyPI's caveats" };
    }
    const r = restrictionCaveats(restrictions, attenuating);
    if (r.codes) return { valid: false, codes: r.codes };
    for (const c of r.caveats) m.addFirstPartyCaveat(c);
    return { valid: true, caveats: r.caveats, token: "pypi-" + lib.bytesToBase64(m.exportBinary()) };
  }

  return {
    decode({ token }) {
      let m;
      try {
        m = lib.importMacaroon(tokenBody(token));
      } catch (e) {
        return { valid: false, message: message(e) };
      }
      const v2 = m._exportAsJSONObjectV2 !== undefined && tokenBody(token).startsWith("Ag");
      return {
        valid: true,
        macaroon: {
          version: v2 ? 2 : 1,
          location: m.location,
          identifier_hex: hex(m.identifier),
          caveats: m.caveats.map((c) => ({
            id_hex: hex(c.identifier),
            vid_hex: c.vid ? hex(c.vid) : null,
            location: c.location || null,
          })),
          signature_hex: hex(m.signature),
        },
      };
    },
    mint({ key_hex, identifier, location, restrictions }) {
      const rootKey = Uint8Array.from(key_hex.match(/../g) ?? [], (h) => parseInt(h, 16));
      const m = lib.newMacaroon({ version: 2, rootKey, identifier, location });
      return produce(m, restrictions, false);
    },
    restrict({ token, restrictions }) {
      let m;
      try {
        m = lib.importMacaroon(tokenBody(token));
      } catch (e) {
        return { valid: false, codes: ["macaroon.malformed"], message: message(e) };
      }
      return produce(m, restrictions, true);
    },
  };
}

// Reading one caveat. Values come from caveat-json.js: integers are BigInt, other numbers
// NonInteger, objects Map.

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }); // a BOM stays, and is no JSON
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A caveat as bytes and text: text for a string; for bytes, null text when not UTF-8. */
function caveatText(caveat) {
  if (typeof caveat === "string") {
    const bytes = new TextEncoder().encode(caveat); // a lone surrogate: 3 bytes, as in WTF-8
    return { length: bytes.length, text: LONE_SURROGATE.test(caveat) ? null : caveat };
  }
  if (!(caveat instanceof Uint8Array)) throw new TypeError("a caveat is a string or a Uint8Array");
  let text = null;
  try {
    text = utf8.decode(caveat);
  } catch {
    // not UTF-8
  }
  return { length: caveat.length, text };
}

const isInt = (v) => typeof v === "bigint";
const isStrList = (v) => Array.isArray(v) && v.every((x) => typeof x === "string");
const bigNow = (r) => BigInt(r.now);

// --- warehouse: PyPI's reading (SPEC §4.1 to §4.4), validity only.

const PY_RECURSION_DEPTH = 995; // CPython's recursion limit, as the reference counts it (SPEC §5.6)
const PY_INT_DIGITS = 4300; // CPython's integer conversion limit

/** PyPI's dict lookup of a tag: Python's `==`, so `true` is 1 and `1.0` is 1. */
function isTag(tag, n) {
  if (typeof tag === "bigint") return tag === BigInt(n);
  if (typeof tag === "boolean") return Number(tag) === n;
  return tag instanceof NonInteger && tag.value === n;
}

/** PyPI reads fields positionally: too few is an error, extra ones are ignored. */
function fields(values, required, checks) {
  if (values.length < required) throw new Unmet("Not enough values");
  checks.forEach((ok, i) => {
    if (i < values.length && !ok(values[i])) throw new Unmet("invalid values for fields");
  });
  return values;
}

function warehouseRead(text, userPresent) {
  const reading = readJson(text);
  if (reading.syntaxError || reading.depth > PY_RECURSION_DEPTH || reading.longestInteger > PY_INT_DIGITS) {
    throw new Unmet("unknown error"); // an exception PyPI does not catch
  }
  const value = reading.value;
  if (value instanceof Map) return warehouseLegacy(value, userPresent);
  if (!Array.isArray(value)) throw new Unmet("caveat must be an array");
  if (value.length === 0) throw new Unmet("caveat array cannot be empty");
  const [tag, ...rest] = value;
  if (Array.isArray(tag) || tag instanceof Map) throw new Unmet("unknown error"); // unhashable
  if (isTag(tag, 0)) {
    const [exp, nbf] = fields(rest, 2, [isInt, isInt]);
    return { kind: "expiration", holds: (r) => nbf <= bigNow(r) && bigNow(r) < exp };
  }
  if (isTag(tag, 1)) {
    const [names] = fields(rest, 1, [isStrList]);
    return { kind: "project_name", holds: (r) => r.project !== null && names.includes(r.project.normalized) };
  }
  if (isTag(tag, 2)) {
    const [ids] = fields(rest, 1, [isStrList]);
    return { kind: "project_id", holds: (r) => r.project !== null && ids.includes(r.project.id) };
  }
  if (isTag(tag, 3)) {
    const [user] = fields(rest, 1, [(v) => typeof v === "string"]);
    return { kind: "request_user", holds: (r) => r.user !== null && r.user === user };
  }
  if (isTag(tag, 4)) {
    const [pub] = fields(rest, 1, [(v) => typeof v === "string", (v) => v === null || v instanceof Map]);
    const holds = (r) => r.publisher !== null && r.publisher.id === pub && r.project !== null && r.publisher.projects.includes(r.project.id);
    return { kind: "oidc_publisher", holds };
  }
  throw new Unmet("caveat has unknown tag");
}

/** The mapping forms PyPI issued before 2022 (SPEC §4.4). */
function warehouseLegacy(value, userPresent) {
  if (isTag(value.get("version"), 1)) {
    const perms = value.get("permissions");
    if (perms === "user" && userPresent) return { kind: "request_user", holds: (r) => r.user !== null };
    if (perms instanceof Map && perms.has("projects")) {
      const names = perms.get("projects");
      if (!isStrList(names)) throw new Unmet("invalid values for fields");
      return { kind: "project_name", holds: (r) => r.project !== null && names.includes(r.project.normalized) };
    }
    throw new Unmet("caveat must be an array");
  }
  if (value.has("exp") && value.has("nbf")) {
    const exp = value.get("exp");
    const nbf = value.get("nbf");
    if (!isInt(exp) || !isInt(nbf)) throw new Unmet("invalid values for fields");
    return { kind: "expiration", holds: (r) => nbf <= bigNow(r) && bigNow(r) < exp };
  }
  if (value.has("project_ids") && isStrList(value.get("project_ids"))) {
    const ids = value.get("project_ids");
    return { kind: "project_id", holds: (r) => r.project !== null && ids.includes(r.project.id) };
  }
  throw new Unmet("caveat must be an array");
}

// --- strict: SPEC §4.5, every refusal with its code.

const MAX_CAVEAT_BYTES = 4096;
const MAX_DEPTH = 8;
const MAX_INT = 2n ** 63n - 1n;
const MAX_CAVEATS = 64;
const NORMALIZED_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// 43 base64url characters hold 258 bits of a 256-bit digest: the last one's two low bits are 0.
const JKT = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;
// Tag -> [fewest, most] fields.
const ARITY = new Map([[0n, [2, 2]], [1n, [1, 1]], [2n, [1, 1]], [3n, [1, 1]], [4n, [1, 2]], [5n, [1, 1]]]);
const KINDS = ["expiration", "project_name", "project_id", "request_user", "oidc_publisher", "key_binding"];
const LEGACY_USER = Symbol("the request's own user");

function intField(v) {
  if (!isInt(v)) refuse("caveat.field_type");
  if (v < 0n || v > MAX_INT) refuse("caveat.int_range");
  return v;
}

function listField(v, itemPattern, itemCode) {
  if (!isStrList(v)) refuse("caveat.field_type");
  if (v.length === 0) refuse("caveat.empty_list");
  if (!v.every((x) => itemPattern.test(x))) refuse(itemCode);
  return v;
}

function uuidField(v) {
  if (typeof v !== "string") refuse("caveat.field_type");
  if (!CANONICAL_UUID.test(v)) refuse("caveat.invalid_uuid");
  return v;
}

/** `{ kind, fields }` of one caveat under §4.5's checks, in its order; else Unmet(code). */
function strictRead(caveat, userPresent) {
  const { length, text } = caveatText(caveat);
  if (length > MAX_CAVEAT_BYTES) refuse("caveat.too_long");
  if (text === null) refuse("caveat.not_utf8");
  const reading = readJson(text);
  if (reading.syntaxError) refuse("json.syntax");
  if (reading.depth > MAX_DEPTH) refuse("json.too_deep");
  if (reading.duplicateKey) refuse("json.duplicate_key");
  if (reading.nonInteger) refuse("json.non_integer_number");
  const value = reading.value;
  if (value instanceof Map) return strictLegacy(value, userPresent);
  if (!Array.isArray(value)) refuse("caveat.not_array");
  if (value.length === 0) refuse("caveat.empty_array");
  const [tag, ...rest] = value;
  if (!isInt(tag)) refuse("caveat.tag_type");
  if (!ARITY.has(tag)) refuse("caveat.unknown_tag");
  const [fewest, most] = ARITY.get(tag);
  if (rest.length < fewest) refuse("caveat.missing_fields");
  if (rest.length > most) refuse("caveat.trailing_elements");
  switch (tag) {
    case 0n:
      return { kind: "expiration", fields: [intField(rest[0]), intField(rest[1])] };
    case 1n:
      return { kind: "project_name", fields: listField(rest[0], NORMALIZED_NAME, "caveat.name_not_normalized") };
    case 2n:
      return { kind: "project_id", fields: listField(rest[0], CANONICAL_UUID, "caveat.invalid_uuid") };
    case 3n:
      return { kind: "request_user", fields: uuidField(rest[0]) };
    case 4n:
      if (rest.length === 2 && rest[1] !== null) refuse("caveat.deprecated_claims"); // before the id
      return { kind: "oidc_publisher", fields: uuidField(rest[0]) };
    default:
      if (typeof rest[0] !== "string") refuse("caveat.field_type");
      if (!JKT.test(rest[0])) refuse("caveat.invalid_jkt");
      return { kind: "key_binding", fields: rest[0] };
  }
}

const sameMembers = (map, names) => map.size === names.length && names.every((n) => map.has(n));

/** §4.5.1: exactly one of the four legacy mappings, with exactly its members. */
function strictLegacy(value, userPresent) {
  if (value.has("version")) {
    const perms = value.get("permissions");
    if (!sameMembers(value, ["version", "permissions"]) || value.get("version") !== 1n) refuse("caveat.legacy_shape");
    if (perms === "user") {
      if (!userPresent) refuse("request_user.no_user");
      return { kind: "request_user", fields: LEGACY_USER };
    }
    if (perms instanceof Map && sameMembers(perms, ["projects"])) {
      return { kind: "project_name", fields: listField(perms.get("projects"), NORMALIZED_NAME, "caveat.name_not_normalized") };
    }
    refuse("caveat.legacy_shape");
  }
  if (value.has("exp") || value.has("nbf")) {
    if (!sameMembers(value, ["exp", "nbf"])) refuse("caveat.legacy_shape");
    return { kind: "expiration", fields: [intField(value.get("exp")), intField(value.get("nbf"))] };
  }
  if (value.has("project_ids")) {
    if (!sameMembers(value, ["project_ids"])) refuse("caveat.legacy_shape");
    return { kind: "project_id", fields: listField(value.get("project_ids"), CANONICAL_UUID, "caveat.invalid_uuid") };
  }
  return refuse("caveat.legacy_shape");
}

/** Constant-time equality of two strings' UTF-8 bytes (their lengths are not secret). */
function sameSecret(a, b) {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/** null when the read caveat holds for request `r`, else the §5.3 code of why not. */
function strictUnmet({ kind, fields: f }, r) {
  switch (kind) {
    case "expiration":
      return f[1] <= bigNow(r) && bigNow(r) < f[0] ? null : "expiration.outside_window";
    case "project_name":
    case "project_id":
      if (r.project === null) return `${kind}.no_project`;
      return f.includes(kind === "project_name" ? r.project.normalized : r.project.id) ? null : `${kind}.mismatch`;
    case "request_user":
      if (r.user === null) return "request_user.no_user";
      return f === LEGACY_USER || r.user === f ? null : "request_user.mismatch";
    case "oidc_publisher":
      if (r.publisher === null) return "oidc_publisher.no_publisher";
      if (r.publisher.id !== f) return "oidc_publisher.mismatch";
      if (r.project === null) return "oidc_publisher.no_project";
      return r.publisher.projects.includes(r.project.id) ? null : "oidc_publisher.project_mismatch";
    default:
      if (typeof r.proofJkt !== "string") return "key_binding.no_proof";
      return sameSecret(r.proofJkt, f) ? null : "key_binding.mismatch";
  }
}

/** A `caveat` vector's input as bytes or text, and whether it names a request user. */
function caveatOf(input) {
  const caveat = Object.hasOwn(input, "caveat")
    ? input.caveat
    : Uint8Array.from(input.caveat_hex.match(/../g) ?? [], (h) => parseInt(h, 16));
  return [caveat, input.request_user !== undefined && input.request_user !== null];
}

/**
 * The kind `profile` reads a `caveat` vector's input as (`expiration`, …; strict also
 * `key_binding`), or throws what refuses it (strict: an `Unmet` with its code).
 */
export function caveatKind(input, { profile = "warehouse" } = {}) {
  const [caveat, userPresent] = caveatOf(input);
  if (checkProfile(profile) === "strict") return strictRead(caveat, userPresent).kind;
  const { text } = caveatText(caveat);
  if (text === null) throw new Unmet("unknown error");
  return warehouseRead(text, userPresent).kind;
}

/** Python's `json.dumps` of a string (ASCII only: `\uXXXX` in lower-case hex). */
function pyJsonString(s) {
  const short = { '"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f" };
  return `"${s.replace(/[\\"]|[^ -~]/g, (c) => short[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)}"`;
}

function pyJson(v) {
  if (v === null) return "null";
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "string") return pyJsonString(v);
  return `[${v.map(pyJson).join(",")}]`;
}

/**
 * The §4.6 serialization of a `caveat` vector's input as the strict profile reads it (an
 * `Unmet` with its code when it refuses it): compact ASCII JSON, `[4, id]` with its null, the
 * legacy user form as `[3, <request_user>]`.
 */
export function canonical(input) {
  const [caveat, userPresent] = caveatOf(input);
  const { kind, fields: f } = strictRead(caveat, userPresent);
  const tag = BigInt(KINDS.indexOf(kind));
  if (kind === "expiration") return pyJson([tag, ...f]);
  if (kind === "oidc_publisher") return pyJson([tag, f, null]);
  return pyJson([tag, f === LEGACY_USER ? input.request_user : f]);
}

/**
 * What a `verify` vector's input says about the request: `now`, the row owner's `user` or OIDC
 * `publisher`, the `project` and, read by the strict key binding only, `proofJkt`.
 */
export class Request {
  constructor(input, { profile = "warehouse" } = {}) {
    const owner = input.row.owner;
    const project = input.project ?? null;
    this.profile = checkProfile(profile);
    this.now = input.now;
    this.proofJkt = input.proof_jkt;
    this.user = owner.user_id ?? null;
    this.publisher = Object.hasOwn(owner, "publisher_id")
      ? { id: owner.publisher_id, projects: owner.publisher_project_ids }
      : null;
    this.project = project === null ? null : { id: project.id, normalized: normalizeName(project.name) };
  }

  /** PyPI's general satisfier (a string, or strict also bytes): an unreadable caveat is unmet. */
  satisfies(caveat) {
    try {
      if (this.profile === "strict") return this.failure(caveat) === null;
      const { text } = caveatText(caveat);
      return text !== null && Boolean(warehouseRead(text, this.user !== null).holds(this));
    } catch {
      return false; // every failure to read is a refusal
    }
  }

  /**
   * Strict profile: null when the caveat holds for this request, else the code of the check
   * that refused it, from its reading (§4.5) or its meaning (§5.3). The warehouse profile has
   * no per-caveat codes here: use `satisfies`.
   */
  failure(caveat) {
    if (this.profile !== "strict") throw new TypeError("per-caveat codes are the strict profile's; use satisfies()");
    let read;
    try {
      read = strictRead(caveat, this.user !== null);
    } catch (e) {
      if (e instanceof Unmet) return e.code;
      throw e;
    }
    return strictUnmet(read, this);
  }
}

/**
 * Python's `uuid.UUID(text)` as PyPI's lookup calls it: `urn:`/`uuid:` and braces dropped,
 * hyphens removed, 32 characters that `int(…, 16)` reads (ASCII digits here); its value, or null.
 */
function uuidValue(text) {
  const h = text.replaceAll("urn:", "").replaceAll("uuid:", "").replace(/^[{}]+|[{}]+$/g, "").replaceAll("-", "");
  if ([...h].length !== 32) return null;
  const m = /^\s*([+-]?)(?:0[xX]_?)?([0-9a-fA-F]+(?:_[0-9a-fA-F]+)*)\s*$/.exec(h);
  if (m === null) return null;
  const v = BigInt(`0x${m[2].replaceAll("_", "")}`) * (m[1] === "-" ? -1n : 1n);
  return v >= 0n && v < 1n << 128n ? v : null;
}

/**
 * Whether a macaroon's identifier (bytes) finds `row`: PyPI looks it up as a UUID; strict
 * (§3.5) wants exactly the row's id in canonical form, lower-case and hyphenated.
 */
export function rowMatches(identifier, row, { profile = "warehouse" } = {}) {
  const rowValue = typeof row?.identifier === "string" ? uuidValue(row.identifier) : null;
  if (rowValue === null || !(identifier instanceof Uint8Array)) return false;
  if (checkProfile(profile) === "strict") {
    // Exactly the row's id, byte for byte, and that id canonical (§3.5): a row whose id is in
    // another spelling matches no token.
    const id = row.identifier;
    if (!CANONICAL_UUID.test(id)) return false;
    return identifier.length === id.length && identifier.every((b, i) => b === id.charCodeAt(i));
  }
  let text;
  try {
    text = utf8.decode(identifier);
  } catch {
    return false;
  }
  return uuidValue(text) === rowValue;
}

/**
 * The caveats stored with the row, to be appended after the embedded ones. Both profiles take
 * them as stored: strict reads them so (§5.4); PyPI re-serializes them first, which changes
 * neither what they mean nor, since appending extends the signature, the verdict.
 */
export function storedCaveats(row, { profile = "warehouse" } = {}) {
  checkProfile(profile);
  return [...row.stored_caveats];
}

/** An unsigned LEB128 varint, minimal. */
function uvarint(n) {
  const out = [];
  for (; n >= 0x80; n = Math.floor(n / 0x80)) out.push((n % 0x80) | 0x80);
  out.push(n);
  return out;
}

/**
 * The canonical V2 encoding (SPEC §3.7 rule 5) of a macaroon of first-party caveats, as
 * pymacaroons writes it: the location field always (even empty), one-byte field types and
 * end-of-section markers, minimal varints.
 */
function canonicalV2({ location, identifier, caveats, signature }) {
  const parts = [[2]];
  const field = (type, bytes) => parts.push([type, ...uvarint(bytes.length)], bytes);
  field(1, new TextEncoder().encode(location));
  field(2, identifier);
  parts.push([0]);
  for (const c of caveats) {
    field(2, c.identifier);
    parts.push([0]);
  }
  parts.push([0]);
  field(6, signature);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * SPEC §3.7's rules 1 to 7, in order, over a macaroon a library decoded: throws an `Unmet` with
 * the first failing rule's code. `version` (1 or 2), `location` (text), `identifier` and
 * `signature` (bytes) and `caveats` (`{ identifier, location, vid }` each) are what the library
 * read, `raw` the bytes of the token's body, which must be the canonical encoding of the same
 * fields (written here, not by the library). Bytes after the signature show as `raw` extending
 * it; a non-canonical field before them makes the difference read as
 * `macaroon.noncanonical_encoding` (both refuse).
 */
export function strictMacaroon({ version, location, identifier, caveats, signature, raw }) {
  const sameBytes = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
  if (version !== 2) refuse("macaroon.v1_unsupported");
  if (caveats.some((c) => Boolean(c.location) || (c.vid !== undefined && c.vid !== null))) {
    refuse("macaroon.third_party_caveat");
  }
  if (signature.length !== 32) refuse("macaroon.signature_length");
  const canonicalBytes = canonicalV2({ location: location ?? "", identifier, caveats, signature });
  if (!sameBytes(raw, canonicalBytes)) {
    const extended = raw.length > canonicalBytes.length && sameBytes(raw.subarray(0, canonicalBytes.length), canonicalBytes);
    refuse(extended ? "macaroon.trailing_bytes" : "macaroon.noncanonical_encoding");
  }
  if (caveats.length > MAX_CAVEATS) refuse("macaroon.too_many_caveats");
  if (identifier.length === 0) refuse("macaroon.empty_identifier");
}

/**
 * SPEC §5.4 steps 3 to 6 for a strict `Request`: the codes refusing the token, [] when it is
 * valid. `caveats`: the embedded caveats (bytes or strings), then `storedCaveats(row)`;
 * `signatureMatches()`: the library's check of the presented token's signature, called only
 * for at most 64 caveats, and before any caveat is read.
 */
export function strictFailures(request, caveats, signatureMatches) {
  if (caveats.length > MAX_CAVEATS) return ["macaroon.too_many_caveats"];
  if (!signatureMatches()) return ["signature.mismatch"];
  return caveats.map((c) => request.failure(c)).filter((code) => code !== null);
}

/**
 * The decode, caveat and verify vectors' operations for `lib`, the npm `macaroon` package (or
 * one with its API), in `profile`, each taking a vector's `input` and answering in its shape.
 * Warehouse answers give validity (and the decoded macaroon, the caveat's kind) without PyPI's
 * codes and messages; strict answers carry the strict codes, the caveat's canonical form too.
 * (Kept apart from `pypi(lib)`, whose operations are the adapter's kinds.)
 */
export function pypiVerifiers(lib, { profile = "warehouse" } = {}) {
  const strict = checkProfile(profile) === "strict";
  const refused = (e) => {
    if (!(e instanceof Unmet)) throw e;
    return e.code === null ? { valid: false } : { valid: false, codes: [e.code] };
  };

  /** The library's macaroon of a strict token, after the text layer and §3.7's rules. */
  function strictLoad(token) {
    const raw = bodyBytes(tokenBody(token, { profile }));
    let m;
    try {
      m = lib.importMacaroon(raw);
    } catch (e) {
      throw new Unmet(String(e?.message ?? e), "macaroon.malformed");
    }
    const version = raw[0] === 2 ? 2 : 1; // SPEC §3.1: the first byte tells the format
    strictMacaroon({ version, location: m.location, identifier: m.identifier, caveats: m.caveats, signature: m.signature, raw });
    return m;
  }

  /** The library's HMAC chain over the presented caveats, every caveat taken as met. */
  function signatureMatches(m, rootKey) {
    try {
      m.verify(rootKey, () => null);
      return true;
    } catch (e) {
      if (/signature mismatch/.test(String(e?.message))) return false;
      throw e; // not a verdict on the signature (a caveat the library cannot hand over, …)
    }
  }

  const keyOf = (keyHex) => Uint8Array.from(keyHex.match(/../g) ?? [], (h) => parseInt(h, 16));
  const warehouseDecode = pypi(lib).decode;

  return {
    decode(input) {
      if (!strict) {
        // SPEC §7.2: a missing header location reads as "" (the library gives undefined).
        const answer = warehouseDecode(input);
        if (answer.valid) answer.macaroon.location ??= "";
        return answer;
      }
      let m;
      try {
        m = strictLoad(input.token);
      } catch (e) {
        return refused(e);
      }
      return {
        valid: true,
        macaroon: {
          version: 2,
          location: m.location ?? "",
          identifier_hex: hex(m.identifier),
          caveats: m.caveats.map((c) => ({ id_hex: hex(c.identifier), vid_hex: null, location: null })),
          signature_hex: hex(m.signature),
        },
      };
    },
    caveat(input) {
      try {
        const kind = caveatKind(input, { profile });
        return strict ? { valid: true, kind, canonical: canonical(input) } : { valid: true, kind };
      } catch (e) {
        return strict ? refused(e) : { valid: false };
      }
    },
    verify(input) {
      const request = new Request(input, { profile });
      if (strict) {
        let m;
        try {
          m = strictLoad(input.token);
        } catch (e) {
          return refused(e);
        }
        if (!rowMatches(m.identifier, input.row, { profile })) return { valid: false, codes: ["macaroon.not_found"] };
        const caveats = [...m.caveats.map((c) => c.identifier), ...storedCaveats(input.row, { profile })];
        const codes = strictFailures(request, caveats, () => signatureMatches(m, keyOf(input.key_hex)));
        return { valid: codes.length === 0, codes };
      }
      try {
        const m = lib.importMacaroon(tokenBody(input.token));
        if (!rowMatches(m.identifier, input.row)) return { valid: false };
        for (const c of storedCaveats(input.row)) m.addFirstPartyCaveat(c);
        m.verify(keyOf(input.key_hex), (cond) => (request.satisfies(cond) ? null : "caveat not satisfied"));
        return { valid: true };
      } catch {
        return { valid: false }; // every refusal of the library, or PyPI's, is an answer
      }
    },
  };
}
