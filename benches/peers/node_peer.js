// Times the npm `macaroon` package (js-macaroon) verifying the benchmark tokens.
//
//   node node_peer.js NODE_MODULES_DIR VECTORS_JSON ID...
//
// Same contract as python_peers.py: for every vector id, first check that the token is valid
// (and refused under a wrong key and after its expiry), then time one request's worth of work
// and print one JSON line {"peer", "version", "caveats", "median_ns", "iterations", ...}.
// Any surprise throws, and node exits non-zero.
"use strict";
const fs = require("fs");
const path = require("path");

const [modulesArg, vectorsPath, ...ids] = process.argv.slice(2);
const modulesDir = path.resolve(modulesArg);
const macaroon = require(path.join(modulesDir, "macaroon"));
const macaroonVersion = require(path.join(modulesDir, "macaroon", "package.json")).version;

const BATCH_NS = BigInt(Math.round(Number(process.env.PEERS_BATCH_SECONDS || "0.1") * 1e9));
const REPEATS = Number(process.env.PEERS_REPEATS || "11");
const WARMUP_NS = BigInt(Math.round(Number(process.env.PEERS_WARMUP_SECONDS || "0.2") * 1e9));

// PEP 503 normalization, as PyPI applies to the project a request targets.
const normalize = (name) => name.replace(/[-_.]+/g, "-").toLowerCase();

// PyPI's caveat language, the part the benchmark tokens use (plus project ids). Returns null
// when the caveat holds and a reason otherwise, as macaroon.verify's check callback must.
function caveatCheck(now, projectName, projectId, userId) {
  return (text) => {
    let c;
    try {
      c = JSON.parse(text);
    } catch (e) {
      return "not JSON";
    }
    if (!Array.isArray(c) || c.length === 0 || !Number.isInteger(c[0])) return "not a caveat";
    switch (c[0]) {
      case 0: // [0, expires_at, not_before]
        if (c.length !== 3 || !Number.isInteger(c[1]) || !Number.isInteger(c[2])) return "bad expiry";
        return c[2] <= now && now < c[1] ? null : "outside the validity window";
      case 1: // [1, [normalized project names]]
        if (c.length !== 2 || !Array.isArray(c[1])) return "bad project names";
        return projectName !== null && c[1].includes(projectName) ? null : "project not allowed";
      case 2: // [2, [project ids]]
        if (c.length !== 2 || !Array.isArray(c[1])) return "bad project ids";
        return projectId !== null && c[1].includes(projectId) ? null : "project not allowed";
      case 3: // [3, user id]
        if (c.length !== 2 || typeof c[1] !== "string") return "bad user";
        return c[1] === userId ? null : "wrong user";
      default:
        return "unknown caveat tag";
    }
  };
}

function request(vector) {
  const inp = vector.input;
  if (inp.row.stored_caveats.length !== 0) {
    throw new Error(`${vector.id}: stored caveats are not supported by this script`);
  }
  const dash = inp.token.indexOf("-");
  return {
    body: inp.token.slice(dash + 1), // the base64url macaroon after "pypi-"
    key: Buffer.from(inp.key_hex, "hex"),
    now: inp.now,
    projectName: inp.project.name,
    projectId: inp.project.id,
    userId: inp.row.owner.user_id,
  };
}

// One request: decode the token, then verify it (signature chain + every caveat).
function makeRequest(req, key, now) {
  const { body, projectName, projectId, userId } = req;
  return () => {
    const m = macaroon.importMacaroon(body);
    m.verify(key, caveatCheck(now, normalize(projectName), projectId, userId), []);
  };
}

const refused = (fn) => {
  try {
    fn();
  } catch (e) {
    return true;
  }
  return false;
};

function timeBatch(fn, n) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  return process.hrtime.bigint() - t0;
}

function medianNsPerCall(fn) {
  const warmEnd = process.hrtime.bigint() + WARMUP_NS;
  while (process.hrtime.bigint() < warmEnd) fn();
  let n = 1;
  for (;;) {
    const t = timeBatch(fn, n);
    if (t >= BATCH_NS) break;
    n = Math.max(n * 2, Math.floor((n * Number(BATCH_NS)) / Math.max(Number(t), 1) * 1.1));
  }
  const perCall = [];
  for (let r = 0; r < REPEATS; r++) perCall.push(Number(timeBatch(fn, n)) / n);
  const sorted = [...perCall].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, n, min: sorted[0], max: sorted[sorted.length - 1] };
}

const byId = new Map(JSON.parse(fs.readFileSync(vectorsPath, "utf8")).vectors.map((v) => [v.id, v]));
const cases = ids.map((id) => {
  const vector = byId.get(id);
  if (!vector) throw new Error(`${vectorsPath}: no vector ${id}`);
  if (!vector.expected || !vector.expected.warehouse || vector.expected.warehouse.valid !== true) {
    throw new Error(`${id}: the vector does not expect a valid token`);
  }
  const req = request(vector);
  const caveats = macaroon.importMacaroon(req.body).caveats.length;
  try {
    makeRequest(req, req.key, req.now)();
  } catch (e) {
    throw new Error(`npm macaroon REFUSES the valid token ${id}: ${e.message}`);
  }
  const wrongKey = Buffer.from(req.key.map((b) => b ^ 0xff));
  if (!refused(makeRequest(req, wrongKey, req.now))) throw new Error(`npm macaroon accepts ${id} under a wrong key`);
  if (!refused(makeRequest(req, req.key, 2 ** 40))) throw new Error(`npm macaroon accepts ${id} long after its expiry`);
  return { id, req, caveats };
});
process.stderr.write(`macaroon (npm): all ${cases.length} tokens valid; wrong key and expired refused\n`);

for (const { id, req, caveats } of cases) {
  const r = medianNsPerCall(makeRequest(req, req.key, req.now));
  process.stdout.write(JSON.stringify({
    peer: "macaroon (npm)",
    version: macaroonVersion,
    caveats,
    median_ns: Math.round(r.median * 10) / 10,
    iterations: r.n * REPEATS,
    batch: r.n,
    repeats: REPEATS,
    vector: id,
    min_ns: Math.round(r.min * 10) / 10,
    max_ns: Math.round(r.max * 10) / 10,
  }) + "\n");
}
