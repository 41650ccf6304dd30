// The package's hand-written types as a user's TypeScript meets them, with jose's own types:
// `.ci/check-npm-package` compiles this file (tsc --strict, nothing emitted, nothing run).
import * as jose from "jose";

import { compare, expectedFor, vectors } from "caveatspec-vectors";
import { earlierProofRefused, installedVersion, invalid, response, serve, unsupported } from "caveatspec-vectors/adapter";
import { atrJwt, bearerToken } from "caveatspec-vectors/atr";
import { DPOP_ALGORITHMS, dpopProof, jwkThumbprint, normalizeHtu } from "caveatspec-vectors/dpop";
import { joseErrorCode, joseVerifiers } from "caveatspec-vectors/jose";
import { testVectors } from "caveatspec-vectors/node-test";
import {
  type MacaroonLibrary, Request, Unmet, caveatKind, pypiVerifiers, restrictionCaveats, strictFailures, tokenBody,
} from "caveatspec-vectors/satisfier";

const thumbprint = (jwk: unknown) => jose.calculateJwkThumbprint(jwk as jose.JWK, "sha256");
const dpop = dpopProof({
  algorithms: ["ES256", "EdDSA"],
  thumbprint,
  codeOf: joseErrorCode,
  readHeader: jose.decodeProtectedHeader,
  async verify(proof, { now, typ, algorithms, requiredClaims, maxAge, skew }) {
    const options = { typ, algorithms, requiredClaims, currentDate: new Date(now * 1000), clockTolerance: skew, maxTokenAge: maxAge - skew };
    return (await jose.jwtVerify(proof, jose.EmbeddedJWK, options)).payload;
  },
});
const atr = atrJwt({
  codeOf: joseErrorCode,
  async verify(token, { key, now, leeway, ...checks }) {
    return (await jose.jwtVerify(token, key, { ...checks, clockTolerance: leeway, currentDate: new Date(now * 1000) })).payload;
  },
});
const thumbprints = jwkThumbprint({ thumbprint, keyTypes: ["EC P-256", "OKP Ed25519"] });

// @ts-expect-error HS256 is not a DPoP algorithm
dpopProof({ algorithms: ["HS256"], verify: () => ({}), thumbprint: () => "" });
// @ts-expect-error a profile is "warehouse" or "strict"
serve({ name: "jose", version: "6", language: "JavaScript", profile: "lenient" }, {});

const version: string = installedVersion("jose", (specifier) => specifier);
void serve({ name: "jose", version, language: "JavaScript", profile: "strict" }, { ...joseVerifiers(jose), dpop_proof: dpop, atr_jwt: atr, jwk_thumbprint: thumbprints });

testVectors({ kind: "dpop_proof", profile: "strict", claims: { codesWhenSent: true } }, (vector) =>
  vector.kind === "dpop_proof" ? dpop(vector.input) : null,
);
testVectors({ kind: "mint", profile: "warehouse" }, () => unsupported("not here"));

const answers = [invalid(), invalid("dpop.htm", "why"), earlierProofRefused(0, "why")];
const outcome: "valid" | "invalid" | "unsupported" = response("id", answers[0]).outcome;
const v = vectors({ kind: "atr_jwt" })[0];
const expected = v ? expectedFor(v, "strict") : undefined;
const same: boolean = expected ? compare(expected, answers[1], "strict").pass : false;
const texts: (string | null)[] = [normalizeHtu("https://h/"), bearerToken("Bearer t"), DPOP_ALGORITHMS[0]];
const caveats = restrictionCaveats({ project_names: ["a"] }, false);
const verifyVector = vectors({ kind: "verify" })[0];
const request = verifyVector?.kind === "verify" ? new Request(verifyVector.input, { profile: "strict" }) : undefined;
const strictCodes: string[] = request ? strictFailures(request, ["[0,2,1]", new Uint8Array([0x5b, 0x5d])], () => true) : [];
const kind: string = caveatKind({ caveat: "[0,2,1]" }, { profile: "strict" });
const body: string = tokenBody("pypi-AAAA", { profile: "strict" });
const code: string | null = new Unmet("why", "caveat.too_long").code;
declare const lib: MacaroonLibrary;
const verified = pypiVerifiers(lib, { profile: "strict" }).verify;
// @ts-expect-error a profile is "warehouse" or "strict"
caveatKind({ caveat: "[0,2,1]" }, { profile: "lenient" });
export { outcome, same, texts, caveats, strictCodes, kind, body, code, verified };
