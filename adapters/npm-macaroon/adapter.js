// caveatspec adapter for the npm `macaroon` package (js-macaroon) 3.0.4: macaroon format and
// signatures. The package knows macaroons, not PyPI: PyPI's `pypi-` text layer and the caveat
// JSON PyPI writes for restrictions come from caveatspec-vectors' satisfier (packages/npm), the
// same one JavaScript users test their own code with; the package does base64, the binary
// format, the HMAC chain and serialization. Protocol: spec/adapter-protocol.md.
"use strict";
const path = require("path");
const readline = require("readline");
const { pathToFileURL } = require("url");
const macaroon = require("macaroon");

/** A protocol response from an answer in the vectors' shape. */
function response(answer) {
  if ("unsupported" in answer) return { outcome: "unsupported", message: answer.unsupported };
  const { valid, codes, message, ...value } = answer;
  const r = { outcome: valid ? "valid" : "invalid" };
  if (codes !== undefined) r.codes = codes;
  if (message !== undefined) r.message = message;
  if (valid) r.value = value;
  return r;
}

const satisfier = pathToFileURL(path.join(__dirname, "..", "..", "packages", "npm", "satisfier.js"));
import(satisfier.href).then(({ pypi }) => {
  const handlers = pypi(macaroon);
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
    const h = Object.hasOwn(handlers, req.kind) ? handlers[req.kind] : null;
    out(Object.assign(h ? response(h(req.input)) : { outcome: "unsupported" }, { type: "response", id: req.id }));
  });
});
