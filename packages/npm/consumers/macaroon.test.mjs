// npm `macaroon` on caveatspec's vectors, as a user of the package tests it: PyPI's layer from
// the package's satisfier, judged as the conformance matrix judges the npm-macaroon adapter
// (which sends codes only for restrictions, no PyPI messages, and only the fields it knows).
import macaroon from "macaroon";

import { testVectors } from "caveatspec-vectors/node-test";
import { pypi } from "caveatspec-vectors/satisfier";

const library = pypi(macaroon);
const claims = { codesWhenSent: true, messages: false, onlySentFields: true };

for (const kind of ["decode", "mint", "restrict"]) {
  testVectors({ kind, profile: "warehouse", claims }, (vector) => library[kind](vector.input));
}
