// Ask the npm `macaroon` package (js-macaroon 3.0.4) about vector inputs: a third macaroon
// implementation, recorded beside PyPI's verdict. Reads a JSON list of requests on stdin and
// writes a JSON list of answers. Run with NODE_PATH pointing at a node_modules that has it.
"use strict";
const macaroon = require("macaroon");

const hex = (b) => Buffer.from(b).toString("hex");

function load(token) {
  const dash = token.indexOf("-");
  const body = dash < 0 ? token : token.slice(dash + 1);
  return macaroon.importMacaroon(body);
}

function decode(req) {
  try {
    const m = load(req.token);
    return {
      valid: true,
      location: m.location,
      identifier_hex: hex(m.identifier),
      caveats: m.caveats.map((c) => ({ id_hex: hex(c.identifier), vid_hex: c.vid ? hex(c.vid) : null })),
      signature_hex: hex(m.signature),
    };
  } catch (e) {
    return { valid: false, message: String(e.message || e) };
  }
}

function signature(req) {
  let m;
  try {
    m = load(req.token);
  } catch (e) {
    return { signature_valid: null, message: String(e.message || e) };
  }
  try {
    m.verify(Buffer.from(req.key_hex, "hex"), () => null, []);
    return { signature_valid: true };
  } catch (e) {
    return { signature_valid: false, message: String(e.message || e) };
  }
}

const ops = { decode, signature };
let input = "";
process.stdin.on("data", (d) => (input += d));
process.stdin.on("end", () => {
  const reqs = JSON.parse(input);
  process.stdout.write(JSON.stringify(reqs.map((r) => ops[r.op](r))));
});
