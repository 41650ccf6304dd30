// caveatspec adapter for the npm `macaroon` package (js-macaroon) 3.0.4: macaroon format and
// signatures. The package knows macaroons, not PyPI: this adapter adds PyPI's `pypi-` text layer
// and the caveat JSON PyPI writes for restrictions; the package does base64, the binary format,
// the HMAC chain and serialization. Protocol: spec/adapter-protocol.md.
"use strict";
const readline = require("readline");
const macaroon = require("macaroon");

const hex = (b) => Buffer.from(b).toString("hex");

function body(token) {
  const dash = token.indexOf("-");
  if (dash < 0 || token.slice(0, dash) !== "pypi" || dash === token.length - 1) {
    throw new Error("not a pypi- token");
  }
  return token.slice(dash + 1);
}

function decode(input) {
  let m;
  try {
    m = macaroon.importMacaroon(body(input.token));
  } catch (e) {
    return { outcome: "invalid", message: String(e.message || e) };
  }
  const v2 = m._exportAsJSONObjectV2 !== undefined && body(input.token).startsWith("Ag");
  return {
    outcome: "valid",
    value: {
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
    },
  };
}

const NAME = /^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const normalize = (n) => n.replace(/[-_.]+/g, "-").toLowerCase();

// The caveats PyPI writes for restrictions (compact JSON, fixed order), after the checks
// spec/SPEC.md gives for restrictions; returns [code] when they cannot be written.
function restrictionCaveats(r, restrict) {
  if (restrict && Object.keys(r).length === 0) return ["restrict.nothing"];
  const out = [];
  const nb = r.not_before, na = r.not_after;
  if ((nb === undefined) !== (na === undefined)) return ["restrict.window_incomplete"];
  if (nb !== undefined) {
    if (nb < 0 || na < 0) return ["restrict.window_negative"];
    if (nb >= na) return ["restrict.window_empty"];
    out.push([0, na, nb]);
  }
  if (r.project_names !== undefined) {
    if (r.project_names.length === 0) return ["restrict.empty_list"];
    if (!r.project_names.every((n) => NAME.test(n))) return ["restrict.invalid_name"];
    out.push([1, r.project_names.map(normalize)]);
  }
  if (r.project_ids !== undefined) {
    if (r.project_ids.length === 0) return ["restrict.empty_list"];
    if (!r.project_ids.every((i) => UUID.test(i))) return ["restrict.invalid_uuid"];
    out.push([2, r.project_ids]);
  }
  if (r.user_id !== undefined) {
    if (!UUID.test(r.user_id)) return ["restrict.invalid_uuid"];
    out.push([3, r.user_id]);
  }
  return { caveats: out.map((c) => JSON.stringify(c)) };
}

function produce(m, restrictions, restrict) {
  // `bind_jkt` asks for the strict profile's key-binding caveat (tag 5), which PyPI never writes.
  if ("bind_jkt" in restrictions) return { outcome: "unsupported", message: "no key-binding caveat (bind_jkt) in PyPI's caveats" };
  const r = restrictionCaveats(restrictions, restrict);
  if (Array.isArray(r)) return { outcome: "invalid", codes: r };
  for (const c of r.caveats) m.addFirstPartyCaveat(c);
  const token = "pypi-" + macaroon.bytesToBase64(m.exportBinary());
  return { outcome: "valid", value: { caveats: r.caveats, token } };
}

function mint(input) {
  const m = macaroon.newMacaroon({
    version: 2,
    rootKey: Buffer.from(input.key_hex, "hex"),
    identifier: input.identifier,
    location: input.location,
  });
  return produce(m, input.restrictions, false);
}

function restrict(input) {
  let m;
  try {
    m = macaroon.importMacaroon(body(input.token));
  } catch (e) {
    return { outcome: "invalid", codes: ["macaroon.malformed"], message: String(e.message || e) };
  }
  return produce(m, input.restrictions, true);
}

const handlers = { decode, mint, restrict };
const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");
out({
  type: "hello",
  protocol: 1,
  name: "macaroon (npm)",
  version: require("macaroon/package.json").version,
  language: "JavaScript",
  profile: "warehouse",
  kinds: Object.keys(handlers),
});
readline.createInterface({ input: process.stdin }).on("line", (line) => {
  if (!line.trim()) return;
  const req = JSON.parse(line);
  const h = handlers[req.kind];
  out(Object.assign(h ? h(req.input) : { outcome: "unsupported" }, { type: "response", id: req.id }));
});
