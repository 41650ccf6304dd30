// caveatspec adapter for the npm `macaroon` package (js-macaroon) 3.x: macaroon format and
// signatures. The package knows macaroons, not PyPI: PyPI's `pypi-` text layer and the caveat
// JSON PyPI writes for restrictions come from caveatspec-vectors' satisfier (packages/npm), the
// same one JavaScript users test their own code with; the package does base64, the binary
// format, the HMAC chain and serialization. Protocol: spec/adapter-protocol.md, spoken by
// caveatspec-vectors' adapter loop.
"use strict";
const macaroon = require("macaroon");
const { serve, installedVersion } = require("../../packages/npm/adapter.js");
const { pypi } = require("../../packages/npm/satisfier.js");

serve(
  { name: "macaroon (npm)", version: installedVersion("macaroon", require.resolve), language: "JavaScript", profile: "warehouse" },
  pypi(macaroon),
);
