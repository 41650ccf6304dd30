"""Time the caveatspec module against the Python libraries a service would use instead, on the
same inputs, after checking every verdict; print a Markdown table and the raw lines.

    python bench.py VECTORS_DIR

- PyPI tokens: the four vectors `verify/scaling/caveats-{1,3,10,50}` (an expiry window, a
  project name and a user id, repeated). caveatspec: `verify(token, key, identifier=…,
  project=(name, id), user_id=…, now=…)`. pypitoken 7.1.1: `Token.load(token)` then
  `token.check(key=…, now=…, project_name=<normalized>, project_id=…, user_id=…)`.
- DPoP proofs: one proof per algorithm (EdDSA, ES256) with `ath`, made by
  `caveatspec.PrivateKey`. caveatspec: `verify_proof(proof, method, url, now=…,
  access_token=…)`, which also returns the key's RFC 7638 thumbprint. PyJWT (+ cryptography)
  and joserfc: what a server writes on them for the same answer: read the header, check `typ`
  and `alg`, import the header's `jwk`, verify the signature and decode the claims, check
  `htm`, `htu` (exact string), `iat` in the window and `ath`, and compute the thumbprint.

Timing: a warm-up, then batches sized to last about 0.1 s, the median over 11 batches of the
time per call (the garbage collector stays on).
"""

import base64
import hashlib
import json
import os
import platform
import sys
import time
from importlib.metadata import version

import caveatspec

BATCH_SECONDS = float(os.environ.get("BENCH_BATCH_SECONDS", "0.1"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "11"))


def per_call_ns(call):
    call()
    start = time.perf_counter()
    n = 0
    while time.perf_counter() - start < BATCH_SECONDS / 2:
        call()
        n += 1
    batch = max(1, int(n * 2 * BATCH_SECONDS / max(time.perf_counter() - start, 1e-9) / 2))
    times = []
    for _ in range(REPEATS):
        t = time.perf_counter_ns()
        for _ in range(batch):
            call()
        times.append((time.perf_counter_ns() - t) / batch)
    times.sort()
    return {"median_ns": times[len(times) // 2], "min_ns": times[0], "max_ns": times[-1],
            "batch": batch, "repeats": REPEATS}


def normalize(name):
    import re
    return re.sub(r"[-_.]+", "-", name).lower()


def token_rows(vectors_dir):
    with open(os.path.join(vectors_dir, "verification.json"), encoding="utf-8") as f:
        vectors = json.load(f)["vectors"]
    for n in (1, 3, 10, 50):
        v = next(v for v in vectors if v["id"] == f"verify/scaling/caveats-{n}")
        yield n, v["id"], v["input"]


def bench_tokens(vectors_dir, out):
    import pypitoken
    for n, vid, inp in token_rows(vectors_dir):
        key = bytes.fromhex(inp["key_hex"])
        name, pid = inp["project"]["name"], inp["project"]["id"]
        user = inp["row"]["owner"]["user_id"]
        identifier = inp["row"]["identifier"]

        def ours(k=key, now=inp["now"]):
            return caveatspec.verify(inp["token"], k, identifier=identifier, project=(name, pid),
                                     user_id=user, now=now).valid

        def theirs(k=key, now=inp["now"]):
            try:
                pypitoken.Token.load(inp["token"]).check(key=k, now=now, project_name=normalize(name),
                                                         project_id=pid, user_id=user)
                return True
            except pypitoken.ValidationError:
                return False
            except ValueError:
                # pypitoken 7.1.1 unpacks "the one error" of a failed check: with several
                # failing caveats (an expired token here) it raises this instead.
                return False
        for f in (ours, theirs):  # the same verdicts before any timing
            assert f() and not f(k=bytes(32)) and not f(now=1_800_000_000), (f.__name__, vid)
        for peer, ver, f in (("caveatspec", caveatspec.__version__, ours),
                             ("pypitoken", version("pypitoken"), theirs)):
            out.append({"bench": "verify", "case": f"{n} caveat{'s' if n > 1 else ''}",
                        "vector": vid, "peer": peer, "version": ver, **per_call_ns(f)})


def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def thumbprint(jwk):
    members = {"EC": ("crv", "kty", "x", "y"), "OKP": ("crv", "kty", "x")}[jwk["kty"]]
    canonical = json.dumps({m: jwk[m] for m in members}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()


def check_claims(header, claims, method, url, now, access_token):
    if header.get("typ") != "dpop+jwt":
        raise ValueError("typ")
    ath = base64.urlsafe_b64encode(hashlib.sha256(access_token.encode()).digest()).rstrip(b"=").decode()
    if not isinstance(claims.get("jti"), str) or claims.get("htm") != method or \
            claims.get("htu") != url or claims.get("ath") != ath:
        raise ValueError("claims")
    iat = claims.get("iat")
    if not isinstance(iat, int) or not now - 300 <= iat <= now + 60:
        raise ValueError("iat")
    return thumbprint(header["jwk"])


def pyjwt_verifier():
    import jwt

    def verify(proof, method, url, now, access_token):
        header = jwt.get_unverified_header(proof)
        if header.get("alg") not in ("ES256", "EdDSA"):
            raise ValueError("alg")
        key = jwt.PyJWK(header["jwk"], algorithm=header["alg"])
        claims = jwt.decode(proof, key=key, algorithms=[header["alg"]],
                            options={"verify_exp": False, "verify_iat": False, "verify_aud": False})
        return check_claims(header, claims, method, url, now, access_token)
    return "PyJWT", version("PyJWT"), verify


def joserfc_verifier():
    from joserfc import jws
    from joserfc.jwk import JWKRegistry

    def verify(proof, method, url, now, access_token):
        header = json.loads(b64url_decode(proof.split(".", 1)[0]))
        if header.get("alg") not in ("ES256", "EdDSA"):
            raise ValueError("alg")
        key = JWKRegistry.import_key(header["jwk"])
        obj = jws.deserialize_compact(proof, key, algorithms=[header["alg"]])
        return check_claims(obj.protected, json.loads(obj.payload), method, url, now, access_token)
    return "joserfc", version("joserfc"), verify


def bench_proofs(out):
    url, token, now = "https://upload.pypi.org/legacy/", "pypi-AgEIcHlwaS5vcmc", 1_700_000_000
    for alg in ("EdDSA", "ES256"):
        key = caveatspec.PrivateKey.generate(alg)
        proof = key.proof("POST", url, access_token=token, now=now)

        def ours(p=proof, n=now):
            return caveatspec.verify_proof(p, "POST", url, now=n, access_token=token).jkt
        peers = [("caveatspec", caveatspec.__version__, ours)]
        for name, ver, verify in (pyjwt_verifier(), joserfc_verifier()):
            peers.append((name, ver, lambda p=proof, n=now, v=verify: v(p, "POST", url, n, token)))
        tampered = proof[:-4] + ("AAAA" if not proof.endswith("AAAA") else "BBBB")
        for name, _, f in peers:  # the same answers before any timing
            assert f() == key.jkt, name
            for bad in ({"p": tampered}, {"n": now + 1000}):
                try:
                    f(**bad)
                except Exception:  # noqa: BLE001 - each library has its own exceptions
                    continue
                raise AssertionError(f"{name} accepted {bad}")
        for name, ver, f in peers:
            out.append({"bench": "dpop proof", "case": alg, "peer": name, "version": ver,
                        **per_call_ns(f)})


def fmt(ns):
    us = ns / 1000
    return f"{us:,.0f} µs" if us >= 1000 else f"{us:.3g} µs"


def table(out):
    lines = ["| bench | case | caveatspec | peer | peer time | peer / caveatspec |",
             "|---|---|---:|---|---:|---:|"]
    for row in out:
        if row["peer"] == "caveatspec":
            continue
        ours = next(r for r in out if r["peer"] == "caveatspec" and r["bench"] == row["bench"]
                    and r["case"] == row["case"])
        lines.append(f"| {row['bench']} | {row['case']} | {fmt(ours['median_ns'])} | "
                     f"{row['peer']} {row['version']} | {fmt(row['median_ns'])} | "
                     f"×{row['median_ns'] / ours['median_ns']:,.1f} |")
    return "\n".join(lines)


def main():
    out = []
    bench_tokens(sys.argv[1], out)
    bench_proofs(out)
    print(table(out))
    print()
    print(f"Python {platform.python_version()}, {platform.machine()}, caveatspec {caveatspec.__version__}")
    print()
    print("```json")
    for row in out:
        print(json.dumps(row, ensure_ascii=False))
    print("```")


if __name__ == "__main__":
    main()
