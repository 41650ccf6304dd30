// Times npm `jose` (panva; on node's WebCrypto, i.e. OpenSSL) checking the benchmark DPoP proofs.
//
//   node dpop_node.mjs NODE_MODULES_DIR DPOP_VECTORS_JSON ALG=ID...
//
// Same contract as dpop_python.py: one iteration is `jwtVerify(proof, EmbeddedJWK, ...)` (typ,
// algorithm, the key from the header, the signature) followed by the claim checks every peer
// makes (jti, htm, htu as strings, iat within [now - 300, now + 60], ath, nonce) and jose's RFC
// 7638 thumbprint against the bound jkt. Each proof must be accepted, and refused with one
// signature bit flipped, before it is timed. Prints one JSON line per proof.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [modulesArg, vectorsPath, ...pairs] = process.argv.slice(2);
const modulesDir = resolve(modulesArg);
const jose = await import(pathToFileURL(join(modulesDir, "jose", "dist", "webapi", "index.js")));
const joseVersion = JSON.parse(readFileSync(join(modulesDir, "jose", "package.json"))).version;

const BATCH_NS = BigInt(Math.round(Number(process.env.PEERS_BATCH_SECONDS || "0.1") * 1e9));
const REPEATS = Number(process.env.PEERS_REPEATS || "11");

const b64u = (bytes) => Buffer.from(bytes).toString("base64url");

async function check(input, proof) {
  let header, claims;
  try {
    ({ payload: claims, protectedHeader: header } = await jose.jwtVerify(proof, jose.EmbeddedJWK, {
      typ: "dpop+jwt",
      algorithms: ["ES256", "EdDSA"],
      currentDate: new Date(input.now * 1000),
    }));
  } catch (e) {
    return false;
  }
  const token = input.access_token;
  const ok =
    typeof claims.jti === "string" && claims.jti !== "" &&
    claims.htm === input.method &&
    claims.htu === input.url &&
    Number.isInteger(claims.iat) &&
    input.now - 300 <= claims.iat && claims.iat <= input.now + 60 &&
    (token == null || claims.ath === b64u(createHash("sha256").update(token).digest())) &&
    (input.nonce == null || claims.nonce === input.nonce);
  if (!ok) return false;
  return input.expected_jkt == null ||
    (await jose.calculateJwkThumbprint(header.jwk, "sha256")) === input.expected_jkt;
}

function tampered(proof) {
  const i = proof.lastIndexOf(".");
  const sig = Buffer.from(proof.slice(i + 1), "base64url");
  sig[5] ^= 1;
  return proof.slice(0, i + 1) + b64u(sig);
}

async function batch(fn, n) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await fn();
  return process.hrtime.bigint() - start;
}

const vectors = new Map(JSON.parse(readFileSync(vectorsPath)).vectors.map((v) => [v.id, v]));
for (const pair of pairs) {
  const [alg, id] = pair.split("=");
  const input = vectors.get(id).input;
  const proof = input.proof;
  if (!(await check(input, proof)) || (await check(input, tampered(proof)))) {
    throw new Error(`jose does not give ${id} the expected verdicts`);
  }
  const fn = () => check(input, proof);
  let n = 1;
  for (;;) {
    const elapsed = await batch(fn, n);
    if (elapsed >= BATCH_NS) break;
    n = Math.max(n * 2, Math.floor(Number((BigInt(n) * BATCH_NS) / (elapsed || 1n)) * 1.1));
  }
  const perCall = [];
  for (let r = 0; r < REPEATS; r++) perCall.push(Number(await batch(fn, n)) / n);
  perCall.sort((a, b) => a - b);
  const line = {
    peer: "jose (npm)", version: joseVersion, alg, vector: id,
    median_ns: Math.round(perCall[Math.floor(REPEATS / 2)] * 10) / 10,
    min_ns: perCall[0], max_ns: perCall[REPEATS - 1], batch: n, repeats: REPEATS,
  };
  if (process.env.PEERS_ROUND) line.round = Number(process.env.PEERS_ROUND);
  console.log(JSON.stringify(line));
}
