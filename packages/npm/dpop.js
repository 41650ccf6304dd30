// DPoP proofs (RFC 9449) as spec/SPEC.md §10.3 and §10.4 check them, over a JOSE library: the
// library verifies the JWS (parsing, `typ`, `alg`, `crit`, the embedded key, the signature, and
// whatever claim and clock checks it offers, given the vector's `now`); this module checks what
// a JOSE library has no notion of, in SPEC order, and keeps the replay map. The library is given
// as functions, never imported, so the package has no dependencies:
//
//   verify(proof, { now, typ, algorithms, requiredClaims, maxAge, skew }) → the claims (payload);
//     throws when the library refuses the proof. `now` is Unix seconds: give it to the library's
//     clock (decision D4), with the window [now - maxAge, now + skew] for `iat`.
//   thumbprint(jwk) → the RFC 7638 SHA-256 thumbprint, base64url; throws when it has none.
//   codeOf(error, "dpop") → the code a library error names (decision D5), else null.
//   algorithms: the DPoP algorithms the library implements (decision D2).
//   readHeader(proof) → the JWS header, the library's own reader where it has one (its
//     encoding rules then stay the library's); default: this module's most lenient reader.
//
// Answers are in the vectors' shape, for the adapter loop and the node:test helper alike.
import { describeError as describe, earlierProofRefused, invalid, unsupported } from "./adapter.js";

/** The algorithms a DPoP proof may use (SPEC §10.3 step 3). */
export const DPOP_ALGORITHMS = Object.freeze(["ES256", "EdDSA", "Ed25519"]);
/** The key types a JWK thumbprint is taken of (SPEC §10.2), as `kty` or `kty crv`. */
export const JWK_KEY_TYPES = Object.freeze(["EC P-256", "OKP Ed25519", "RSA"]);
/** The largest proof, in bytes. */
export const MAX_PROOF_BYTES = 8192;
/** How old a proof's `iat` may be, in seconds (SPEC §10.3 step 11). */
export const MAX_AGE = 300;
/** How far ahead of `now` a proof's `iat` may be, in seconds (SPEC §10.3 step 11). */
export const SKEW = 60;
const MAX_URL_BYTES = 8192;
const JTI_MAX_BYTES = 256;

const byteLength = (text) => new TextEncoder().encode(text).length;

/** A refusal inside the checks; `code` null when the library's error names no check. */
class Refused extends Error {
  constructor(code, message) {
    super(message ?? code ?? "refused");
    this.code = code;
  }
}

/** The proof cannot be tested with this library (decision D2). */
class NotImplemented extends Error {}

// --- htu: SPEC §10.3 step 10 ---------------------------------------------------------------

const UNRESERVED = /[A-Za-z0-9\-._~]/;

function decodeUnreserved(path) {
  return path.replace(/%(..)?/g, (match, hex) => {
    if (hex === undefined || !/^[0-9A-Fa-f]{2}$/.test(hex)) throw new Error("percent-encoding");
    const c = String.fromCharCode(parseInt(hex, 16));
    return UNRESERVED.test(c) ? c : "%" + hex.toUpperCase();
  });
}

/** Dot segments out of an absolute path: a stack of segments, as RFC 3986 §5.2.4 describes. */
function removeDots(path) {
  const segments = path.split("/").slice(1);
  const out = [];
  segments.forEach((s, i) => {
    const last = i === segments.length - 1;
    if (s === "..") {
      out.pop();
      if (last) out.push("");
    } else if (s === ".") {
      if (last) out.push("");
    } else {
      out.push(s);
    }
  });
  return "/" + out.join("/");
}

/**
 * A URL as SPEC §10.3 step 10 normalizes it for comparing `htu` with the request's URL; throws
 * for a URL the step refuses (not printable ASCII, over 8,192 bytes, no http(s) scheme and host,
 * userinfo, a bad port or percent-encoding).
 */
export function normalizeHtu(url) {
  if (byteLength(url) > MAX_URL_BYTES || !/^[\x21-\x7e]*$/.test(url)) throw new Error("characters");
  const m = /^([^:/?#]+):\/\/([^/?#]*)([^?#]*)/.exec(url);
  if (!m) throw new Error("no scheme and authority");
  const scheme = m[1].toLowerCase();
  const defaults = { http: "80", https: "443" };
  if (!Object.hasOwn(defaults, scheme)) throw new Error("scheme");
  const authority = m[2];
  if (authority.includes("@")) throw new Error("userinfo");
  let host = authority;
  let port = null;
  if (authority.startsWith("[")) {
    const close = authority.indexOf("]");
    if (close < 0) throw new Error("IP literal");
    host = authority.slice(0, close + 1);
    const rest = authority.slice(close + 1);
    if (rest !== "" && !rest.startsWith(":")) throw new Error("IP literal");
    if (rest !== "") port = rest.slice(1);
  } else if (authority.includes(":")) {
    host = authority.slice(0, authority.indexOf(":"));
    port = authority.slice(authority.indexOf(":") + 1);
  }
  if (host === "" || host.includes("%")) throw new Error("host");
  let portText = "";
  if (port !== null && port !== "") {
    if (!/^[0-9]+$/.test(port) || Number(port) > 65535) throw new Error("port");
    if (String(Number(port)) !== defaults[scheme]) portText = ":" + Number(port);
  }
  const path = m[3] === "" ? "/" : removeDots(decodeUnreserved(m[3]));
  return `${scheme}://${host.toLowerCase()}${portText}${path}`;
}

// --- the proof -----------------------------------------------------------------------------

/**
 * The JWS header read at its most lenient (white space dropped, either base64 alphabet, padding
 * or not), then a JSON object: what `dpopProof` reads, before the library runs, only to see `alg`
 * (decision D2) and `jwk`, when the library has no header reader of its own. The encoding is
 * the library's to judge, not this reader's. Throws when there is no header to read.
 */
export function readHeader(proof) {
  const parts = proof.split(".");
  if (parts.length !== 3) throw new Error("not three segments");
  const segment = parts[0].replace(/[\t\n\f\r ]/g, "").replace(/-/g, "+").replace(/_/g, "/").replace(/=+$/, "");
  if (segment === "") throw new Error("empty header");
  const bytes = Uint8Array.from(atob(segment), (c) => c.charCodeAt(0));
  const header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  if (typeof header !== "object" || header === null || Array.isArray(header)) throw new Error("not an object");
  return header;
}

async function sha256Base64url(text) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return btoa(String.fromCharCode(...digest)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Equality of two strings in time that depends on their length only. */
function sameText(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

function stringClaim(claims, name) {
  if (!Object.hasOwn(claims, name)) throw new Refused("dpop.missing_claim", `no ${name}`);
  if (typeof claims[name] !== "string") throw new Refused("dpop.claim_type", `${name} is not a string`);
  return claims[name];
}

function checkAlgorithms(algorithms, allowed, what) {
  const unknown = algorithms.filter((a) => !allowed.includes(a));
  if (algorithms.length === 0 || unknown.length > 0) {
    throw new TypeError(`${what} are some of ${allowed.join(", ")} (got ${JSON.stringify(algorithms)})`);
  }
}

/**
 * The `dpop_proof` vectors' operation over a library (see the module comment): `(input) =>
 * Promise<answer>`, answering `{ valid: true, jkt, jti }`, a refusal, `unsupported` for an
 * algorithm the proof may use but the library does not implement, or the answer of decision D3
 * when an earlier proof of `input.replay` is refused.
 */
export function dpopProof({ verify, thumbprint, codeOf = () => null, algorithms = DPOP_ALGORITHMS, readHeader: read = readHeader }) {
  checkAlgorithms(algorithms, DPOP_ALGORITHMS, "the library's algorithms");
  const implemented = DPOP_ALGORITHMS.filter((a) => algorithms.includes(a));

  /** The library's verdict on one proof at `now`, then the checks it has no notion of. */
  async function check(input, proof, now) {
    if (byteLength(proof) > MAX_PROOF_BYTES) throw new Refused("dpop.malformed", `proof over ${MAX_PROOF_BYTES} bytes`);
    let header;
    try {
      header = read(proof);
    } catch (e) {
      throw new Refused("dpop.malformed", describe(e));
    }
    if (DPOP_ALGORITHMS.includes(header.alg) && !implemented.includes(header.alg)) {
      throw new NotImplemented(`the library does not implement ${header.alg}`);
    }
    if (!Object.hasOwn(header, "jwk")) throw new Refused("dpop.jwk_missing");
    const token = input.access_token;
    const requiredClaims = ["jti", "htm", "htu"].concat(token === undefined ? [] : ["ath"]);
    let claims;
    try {
      claims = await verify(proof, { now, typ: "dpop+jwt", algorithms: implemented, requiredClaims, maxAge: MAX_AGE, skew: SKEW });
    } catch (e) {
      throw new Refused(codeOf(e, "dpop") ?? null, describe(e));
    }
    const jti = stringClaim(claims, "jti");
    const htm = stringClaim(claims, "htm");
    const htu = stringClaim(claims, "htu");
    // iat's JSON form (integer or not) is the library's to judge, as it parses the payload.
    const iat = claims.iat;
    if (!Object.hasOwn(claims, "iat")) throw new Refused("dpop.missing_claim", "no iat");
    if (typeof iat !== "number" || !Number.isFinite(iat)) throw new Refused("dpop.claim_type", "iat is not a number");
    const jtiBytes = byteLength(jti);
    if (jtiBytes < 1 || jtiBytes > JTI_MAX_BYTES) throw new Refused("dpop.jti_length");
    if (token !== undefined && !sameText(stringClaim(claims, "ath"), await sha256Base64url(token))) {
      throw new Refused("dpop.ath");
    }
    if (htm !== input.method) throw new Refused("dpop.htm");
    let want;
    try {
      want = normalizeHtu(input.url);
    } catch {
      throw new Refused("dpop.request_url");
    }
    let got;
    try {
      got = normalizeHtu(htu);
    } catch {
      throw new Refused("dpop.htu_invalid");
    }
    if (got !== want) throw new Refused("dpop.htu");
    // The window, for a library without a clock check (where the library has one, as jose does,
    // it refused first with the same bounds).
    if (iat < now - MAX_AGE) throw new Refused("dpop.iat_too_old");
    if (iat > now + SKEW) throw new Refused("dpop.iat_in_future");
    if (input.nonce !== undefined && claims.nonce !== input.nonce) throw new Refused("dpop.nonce");
    let jkt;
    try {
      jkt = await thumbprint(header.jwk);
    } catch (e) {
      throw new Refused(null, describe(e));
    }
    if (input.expected_jkt !== undefined && !sameText(jkt, input.expected_jkt)) throw new Refused("dpop.jkt");
    return { jkt, jti, iat };
  }

  return async function dpop_proof(input) {
    // One entry per key and jti (a thumbprint holds no space, so the pair joins unambiguously),
    // kept until its proof's iat + MAX_AGE inclusive; filled by the earlier proofs first.
    const seen = new Map();
    const accept = async (proof, now) => {
      const { jkt, jti, iat } = await check(input, proof, now);
      const entry = `${jkt} ${jti}`;
      if (seen.has(entry) && now <= seen.get(entry)) throw new Refused("dpop.replay");
      seen.set(entry, iat + MAX_AGE);
      return { jkt, jti };
    };
    try {
      for (const [index, earlier] of (input.replay ?? []).entries()) {
        try {
          await accept(earlier.proof, earlier.now);
        } catch (e) {
          if (e instanceof Refused) return earlierProofRefused(index, e.message);
          throw e;
        }
      }
      return { valid: true, ...(await accept(input.proof, input.now)) };
    } catch (e) {
      if (e instanceof NotImplemented) return unsupported(e.message);
      if (e instanceof Refused) return invalid(e.code, e.message);
      throw e;
    }
  };
}

/** The key type of a JWK as JWK_KEY_TYPES names it, or null for one it does not name. */
function keyType(jwk) {
  if (typeof jwk !== "object" || jwk === null) return null;
  const name = jwk.kty === "RSA" ? "RSA" : `${jwk.kty} ${jwk.crv}`;
  return JWK_KEY_TYPES.includes(name) ? name : null;
}

/**
 * The `jwk_thumbprint` vectors' operation: `(input) => Promise<answer>`, `{ valid: true,
 * thumbprint }` or a refusal without codes; `unsupported` for a key type the vectors take a
 * thumbprint of (`keyTypes`, from JWK_KEY_TYPES) that the library does not implement.
 */
export function jwkThumbprint({ thumbprint, keyTypes = JWK_KEY_TYPES }) {
  checkAlgorithms(keyTypes, JWK_KEY_TYPES, "the library's key types");
  return async function jwk_thumbprint({ jwk }) {
    const type = keyType(jwk);
    if (type !== null && !keyTypes.includes(type)) return unsupported(`the library does not implement ${type} keys`);
    try {
      return { valid: true, thumbprint: await thumbprint(jwk) };
    } catch (e) {
      return invalid(null, describe(e));
    }
  };
}
