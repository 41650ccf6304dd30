// npm `macaroon` on the decode, caveat and verify vectors in both profiles, through the
// satisfier's `pypiVerifiers`: strict answers carry the strict codes and are compared whole;
// warehouse answers are judged on validity and produced fields, as the matrix judges an adapter
// without PyPI's codes and messages. Each failure is listed, with its reason, in
// macaroon-strict-xfail.txt.
import { fileURLToPath } from "node:url";

import macaroon from "macaroon";

import { testVectors } from "caveatspec-vectors/node-test";
import { pypiVerifiers } from "caveatspec-vectors/satisfier";

const byProfile = {
  warehouse: pypiVerifiers(macaroon, { profile: "warehouse" }),
  strict: pypiVerifiers(macaroon, { profile: "strict" }),
};
const claims = { codesWhenSent: true, messages: false, onlySentFields: true };
const expectedFailures = fileURLToPath(new URL("macaroon-strict-xfail.txt", import.meta.url));

for (const kind of ["decode", "caveat", "verify"]) {
  testVectors({ kind, expectedFailures, claims }, (vector, profile) => byProfile[profile][kind](vector.input));
}
