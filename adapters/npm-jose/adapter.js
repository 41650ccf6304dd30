// caveatspec adapter for the npm `jose` package (panva) 6.2.18: dpop_proof, jwk_thumbprint and
// atr_jwt. Protocol: spec/adapter-protocol.md. (The npm `dpop` package only creates proofs; it
// has no verifier, so it has no adapter.)
//
// jwk_thumbprint: `calculateJwkThumbprint(jwk, "sha256")`, jose's RFC 7638 function, as is.
//
// dpop_proof is thin glue over `jwtVerify(proof, EmbeddedJWK, options)`:
// - the proof is at most 8,192 bytes (`dpop.malformed`); the header is read with
//   `decodeProtectedHeader` (its failure: `dpop.malformed`) only to see that `jwk` is there
//   (`dpop.jwk_missing`) and to give the expected thumbprint's key;
// - jose itself checks the rest of the JOSE part: the algorithm against
//   `algorithms: ["ES256", "EdDSA", "Ed25519"]`, `crit`, the embedded key (EmbeddedJWK refuses
//   a private or symmetric one), the signature, and `typ: "dpop+jwt"` in jose's own comparison;
// - the clock is jose's: `currentDate` = the vector's `now`, `clockTolerance: 60` and
//   `maxTokenAge: 240`, so jose accepts `iat` in [now - 300, now + 60] as SPEC §10.3 step 11
//   does; `requiredClaims` jti, htm, htu (and ath with an access token), iat by maxTokenAge;
// - the glue checks what jose has no notion of, in SPEC order: jti, htm, htu, ath strings
//   (`dpop.claim_type`), jti of 1 to 256 bytes, ath, htm, htu after SPEC §10.3 step 10's
//   normalization (written here), nonce, the key's thumbprint (jose's calculateJwkThumbprint)
//   against `expected_jkt`; and replay: a Map keyed by the key's thumbprint and the jti, each entry kept until its proof's
//   iat + 300 inclusive, filled by the earlier proofs of `input.replay`.
//
// atr_jwt is a JavaScript port of Apache Trusted Releases' check on jose: ATR's header rule
// (split on the first space, scheme lower-cased `bearer`), then `jwtVerify(token, key as UTF-8
// bytes, { algorithms: ["HS256"], issuer: X, audience: X, clockTolerance: 120, currentDate,
// requiredClaims: [sub, iss, aud, iat, nbf, exp, jti] })`, and ATR's own check that sub and
// jti are strings.
//
// Codes: jose's error `code` (and `claim` for claim errors) gives the vector code where it names
// one check; otherwise the response has no codes and is judged on validity alone.
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");
const readline = require("readline");
const jose = require("jose");

const MAX_PROOF = 8192;
const MAX_AGE = 300;
const SKEW = 60;

class Refused extends Error {
  constructor(code, message) {
    super(message || code || "refused");
    this.code = code;
  }
}

// --- htu: SPEC §10.3 step 10 ---------------------------------------------------------------

const UNRESERVED = /[A-Za-z0-9\-._~]/;

function decodeUnreserved(path) {
  return path.replace(/%(..)?/g, (match, hex) => {
    if (hex === undefined || !/^[0-9A-Fa-f]{2}$/.test(hex)) throw new Error("percent-encoding");
    const c = String.fromCharCode(parseInt(hex, 16));
    return UNRESERVED.test(c) ? c : "%" + hex.toUpperCase();
  });
}

// Dot segments out of an absolute path: a stack of segments, as RFC 3986 §5.2.4 describes.
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

function normalizeUrl(url) {
  if (Buffer.byteLength(url) > 8192 || !/^[\x21-\x7e]*$/.test(url)) throw new Error("characters");
  const m = /^([^:/?#]+):\/\/([^/?#]*)([^?#]*)/.exec(url);
  if (!m) throw new Error("no scheme and authority");
  const scheme = m[1].toLowerCase();
  const defaults = { http: "80", https: "443" };
  if (!(scheme in defaults)) throw new Error("scheme");
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

// --- dpop_proof ----------------------------------------------------------------------------

const sha256b64u = (text) => crypto.createHash("sha256").update(text, "utf8").digest("base64url");

function joseCode(e, profile) {
  const claimCodes = profile === "dpop"
    ? { typ: "dpop.typ", iat: "dpop.iat_in_future" }
    : { iss: "atr.issuer", aud: "atr.audience", nbf: "atr.immature" };
  switch (e.code) {
    case "ERR_JOSE_ALG_NOT_ALLOWED":
      return `${profile}.alg`;
    case "ERR_JWS_SIGNATURE_VERIFICATION_FAILED":
      return `${profile}.signature`;
    case "ERR_JWT_EXPIRED":
      return profile === "dpop" ? (e.claim === "iat" ? "dpop.iat_too_old" : null) : "atr.expired";
    case "ERR_JWT_CLAIM_VALIDATION_FAILED":
      if (e.reason === "missing") return `${profile}.missing_claim`;
      if (e.reason === "invalid") return profile === "atr" && e.claim === "iat" ? "atr.iat" : `${profile}.claim_type`;
      return claimCodes[e.claim] || null;
    case "ERR_JWT_INVALID":
      return `${profile}.malformed`;
    case "ERR_JWS_INVALID":
      if (/crit|Extension Header Parameter/i.test(e.message)) return `${profile}.crit`;
      if (/"alg"/.test(e.message)) return `${profile}.alg`;
      return /jwk|JSON Web Key/i.test(e.message) ? null : `${profile}.malformed`;
    case "ERR_JOSE_NOT_SUPPORTED":
      return /Extension Header Parameter/.test(e.message) ? `${profile}.crit` : null;
    default:
      return null;
  }
}

function stringClaim(claims, name) {
  if (!(name in claims)) throw new Refused("dpop.missing_claim", `no ${name}`);
  if (typeof claims[name] !== "string") throw new Refused("dpop.claim_type", `${name} is not a string`);
  return claims[name];
}

async function checkProof(input, proof, now) {
  if (Buffer.byteLength(proof) > MAX_PROOF) throw new Refused("dpop.malformed", "proof over 8192 bytes");
  const token = input.access_token;
  let header;
  try {
    header = jose.decodeProtectedHeader(proof);
  } catch (e) {
    throw new Refused("dpop.malformed", `${e.code || e.name}: ${e.message}`);
  }
  if (!("jwk" in header)) throw new Refused("dpop.jwk_missing");
  const required = ["jti", "htm", "htu"].concat(token === undefined ? [] : ["ath"]);
  let claims;
  try {
    ({ payload: claims } = await jose.jwtVerify(proof, jose.EmbeddedJWK, {
      typ: "dpop+jwt",
      algorithms: ["ES256", "EdDSA", "Ed25519"],
      currentDate: new Date(now * 1000),
      clockTolerance: SKEW,
      maxTokenAge: MAX_AGE - SKEW,
      requiredClaims: required,
    }));
  } catch (e) {
    throw new Refused(joseCode(e, "dpop"), `${e.code || e.name}: ${e.message}`);
  }
  const jti = stringClaim(claims, "jti");
  const htm = stringClaim(claims, "htm");
  const htu = stringClaim(claims, "htu");
  const jtiBytes = Buffer.byteLength(jti);
  if (jtiBytes < 1 || jtiBytes > 256) throw new Refused("dpop.jti_length");
  if (token !== undefined && stringClaim(claims, "ath") !== sha256b64u(token)) throw new Refused("dpop.ath");
  if (htm !== input.method) throw new Refused("dpop.htm");
  let want;
  try {
    want = normalizeUrl(input.url);
  } catch {
    throw new Refused("dpop.request_url");
  }
  let got;
  try {
    got = normalizeUrl(htu);
  } catch {
    throw new Refused("dpop.htu_invalid");
  }
  if (got !== want) throw new Refused("dpop.htu");
  if (input.nonce !== undefined && claims.nonce !== input.nonce) throw new Refused("dpop.nonce");
  const jkt = await jose.calculateJwkThumbprint(header.jwk, "sha256");
  if (input.expected_jkt !== undefined && jkt !== input.expected_jkt) throw new Refused("dpop.jkt");
  return { jkt, jti, iat: claims.iat };
}

async function dpopProof(input) {
  const cache = new Map();
  const accept = async (proof, now) => {
    const { jkt, jti, iat } = await checkProof(input, proof, now);
    // One entry per key and jti (a thumbprint holds no space, so the pair joins unambiguously).
    const entry = `${jkt} ${jti}`;
    if (cache.has(entry) && now <= cache.get(entry)) throw new Refused("dpop.replay");
    cache.set(entry, iat + MAX_AGE);
    return { jkt, jti };
  };
  try {
    for (const earlier of input.replay || []) {
      try {
        await accept(earlier.proof, earlier.now);
      } catch (e) {
        if (!(e instanceof Refused)) throw e;
        return { outcome: "invalid", message: `an earlier proof was refused: ${e.message}` };
      }
    }
    const value = await accept(input.proof, input.now);
    return { outcome: "valid", value };
  } catch (e) {
    if (!(e instanceof Refused)) throw e;
    return refusal(e.code, e.message);
  }
}

function refusal(code, message) {
  const out = { outcome: "invalid", message };
  if (code) out.codes = [code];
  return out;
}

// --- jwk_thumbprint ------------------------------------------------------------------------

async function jwkThumbprint(input) {
  try {
    return { outcome: "valid", value: { thumbprint: await jose.calculateJwkThumbprint(input.jwk, "sha256") } };
  } catch (e) {
    return refusal(null, `${e.code || e.name}: ${e.message}`);
  }
}

// --- atr_jwt -------------------------------------------------------------------------------

async function atrJwt(input) {
  const auth = input.authorization;
  const space = auth.indexOf(" ");
  if (space < 0 || auth.slice(0, space).toLowerCase() !== "bearer") return refusal("atr.bearer");
  let claims;
  try {
    ({ payload: claims } = await jose.jwtVerify(auth.slice(space + 1), new TextEncoder().encode(input.key), {
      algorithms: ["HS256"],
      issuer: input.iss_aud,
      audience: input.iss_aud,
      clockTolerance: 120,
      currentDate: new Date(input.now * 1000),
      requiredClaims: ["sub", "iss", "aud", "iat", "nbf", "exp", "jti"],
    }));
  } catch (e) {
    return refusal(joseCode(e, "atr"), `${e.code || e.name}: ${e.message}`);
  }
  if (typeof claims.sub !== "string" || typeof claims.jti !== "string") return refusal("atr.claim_type");
  return { outcome: "valid", value: { sub: claims.sub, jti: claims.jti } };
}

// --- the protocol loop ---------------------------------------------------------------------

const handlers = { dpop_proof: dpopProof, jwk_thumbprint: jwkThumbprint, atr_jwt: atrJwt };

async function main() {
  // jose's package.json is not among its exports: read it next to the resolved entry point.
  const pkg = path.join(path.dirname(require.resolve("jose")), "..", "..", "package.json");
  const version = JSON.parse(fs.readFileSync(pkg, "utf8")).version;
  process.stdout.write(JSON.stringify({
    type: "hello", protocol: 1, name: "jose", version, language: "JavaScript",
    profile: "strict", kinds: Object.keys(handlers),
  }) + "\n");
  const rl = readline.createInterface({ input: process.stdin, terminal: false });
  for await (const line of rl) {
    if (!line.trim()) continue;
    const req = JSON.parse(line);
    const handler = handlers[req.kind];
    const resp = handler ? await handler(req.input) : { outcome: "unsupported" };
    process.stdout.write(JSON.stringify({ ...resp, type: "response", id: req.id }) + "\n");
  }
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack || e) + "\n");
  process.exit(1);
});
