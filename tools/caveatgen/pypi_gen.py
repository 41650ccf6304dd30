"""Write vectors/*.json from the cases in pypi_cases.py and the behaviour of real implementations.

    WAREHOUSE_SRC=/path/to/pypi/warehouse tools/caveatgen/setup --generate pypi

(`tools/caveatgen/setup` builds the Python environments.) For every case this runs:
- PyPI's own code (pypi_warehouse.py) for the `warehouse` expectation and its message;
- pypi_strict.py, the Python rendering of the strict profile, for the `strict` expectation;
- pymacaroons (PyPI's macaroon library) to mint tokens and check signatures;
- pypitoken 7.1.1 (the client library) and the npm `macaroon` package 3.0.4 as peers,
  recorded beside the expectation.
Nothing here reads the Rust implementation. The files record a hash of every file this reads
(caveatgen.digest), and `cargo test` fails when one changed but the vectors were not regenerated.
"""

from __future__ import annotations

import json
import os
import subprocess

import pymacaroons
from pymacaroons.exceptions import MacaroonInvalidSignatureException

from caveatgen import pypi_cases
from caveatgen import pypi_strict as strict
from caveatgen.digest import PACKAGE, stamp
from caveatgen.pypi_fixtures import IDENT, KEY, LOCATION, mint
from caveatgen.pypi_warehouse import User, Warehouse
from caveatgen.vectorfile import write_file

CATEGORIES = {
    "token-encoding": "The `pypi-` text layer: prefix, base64 alphabet, padding and stray characters.",
    "macaroon-format": "Macaroon V1/V2 binary structure, fields, varints and the HMAC-SHA256 signature chain.",
    "caveat-parsing": "One caveat's bytes to a typed caveat: JSON, tags, fields, legacy mapping forms.",
    "verification": "A token checked against a request context: clock, project, user, publisher; message precedence.",
    "server-issued": "Caveats PyPI stored when it issued the token and appends before verifying.",
    "attenuation": "Adding caveats to an existing token offline (no key needed).",
    "minting": "Creating a token from a root key, an identifier and restrictions.",
}

FLAGS = {
    "known-answer": "Inputs and output published elsewhere (pymacaroons, pypitoken or Warehouse tests, libmacaroons).",
    "boundary": "Sits exactly on a limit: a window edge, a size limit, an integer bound.",
    "python-json-quirk": "Outcome follows from Python's json module (NaN, duplicate keys, big ints, escapes).",
    "python-coercion": "Outcome follows from Python equality or hashing (true == 1, 1.0 == 1).",
    "trailing-fields": "Extra array elements or object members that PyPI ignores.",
    "legacy": "A mapping-form caveat PyPI issued or accepted before the array format (2019-2022).",
    "lenient-encoding": "A token encoding pymacaroons accepts though PyPI never emits it.",
    "never-matches": "PyPI accepts the caveat but no request can ever satisfy it.",
    "abort": "A caveat raises inside PyPI's verifier: evaluation stops and later caveats are not reported.",
    "message-precedence": "Which failure PyPI reports when several apply.",
    "server-error": "PyPI's code raises an unhandled exception (an HTTP 500), not a clean rejection.",
    "stored-caveats": "Uses caveats PyPI stored at issue time and appends before verifying.",
    "oidc": "A Trusted Publishing (OIDC) token or caveat.",
    "unicode": "Non-ASCII text, escapes or surrogates.",
    "benchmark": "An input of the criterion benchmarks and the peer timings (benches/).",
    "profile-divergence": "The strict profile's verdict differs from PyPI's (set by the generator).",
    "pypitoken-divergence": "pypitoken 7.1.1's verdict differs from the expectation: PyPI's for decode, caveat and verify vectors, this spec's for mint and restrict (set by the generator).",
    "npm-macaroon-divergence": "The npm macaroon package (3.0.4) decodes differently from PyPI (set by the generator).",
}


def signature_valid(token: str, key: bytes) -> bool | None:
    """pymacaroons' own verdict on the chain with every caveat accepted (None: does not parse)."""
    body = token.partition("-")[2]
    try:
        m = pymacaroons.Macaroon.deserialize(body)
    except Exception:  # noqa: BLE001
        return None
    v = pymacaroons.Verifier()
    v.satisfy_general(lambda _: True)
    try:
        return bool(v.verify(m, key))
    except MacaroonInvalidSignatureException:
        return False
    except Exception:  # noqa: BLE001
        return None


def base64_decodes(body: str) -> bool:
    """pymacaroons' first step (urlsafe_b64decode after padding): does it succeed?"""
    import base64

    try:
        base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except Exception:  # noqa: BLE001
        return False
    return True


# ---- Warehouse outcome → machine-readable codes -------------------------------------------

_REASON_CODES = {
    "caveat must be an array": "caveat.not_array",
    "caveat array cannot be empty": "caveat.empty_array",
    "Not enough values": "caveat.missing_fields",
    "invalid values for fields": "caveat.invalid_fields",
    "token is expired": "expiration.outside_window",
    "token with user restriction without a user": "request_user.no_user",
    "token with user restriction without a macaroon": "request_user.no_macaroon",
    "current user does not match user restriction in token": "request_user.mismatch",
    "OIDC scoped token used outside of an OIDC identified request": "oidc_publisher.no_publisher",
    "current OIDC publisher does not match publisher restriction in token": "oidc_publisher.mismatch",
    "OIDC scoped token used outside of a project context": "oidc_publisher.no_project",
}

_ABORT_CODES = {
    "UnicodeDecodeError": "caveat.not_utf8",
    "JSONDecodeError": "json.syntax",
    "RecursionError": "json.too_deep",
    "ValueError": "json.int_too_long",
    "TypeError": "caveat.unhashable_tag",
}


def reason_code(reason: str, kind: str | None) -> str:
    if reason in _REASON_CODES:
        return _REASON_CODES[reason]
    if reason.startswith("caveat has unknown tag: "):
        return "caveat.unknown_tag"
    if reason == "project-scoped token used outside of a project context":
        return {"ProjectName": "project_name.no_project", "ProjectID": "project_id.no_project"}[kind]
    if reason.startswith("project-scoped token is not valid for project: "):
        return {"ProjectName": "project_name.mismatch", "ProjectID": "project_id.mismatch"}[kind]
    if reason.startswith("OIDC scoped token is not valid for project "):
        return "oidc_publisher.project_mismatch"
    raise SystemExit(f"no code for Warehouse reason {reason!r}")


KIND_NAMES = {
    "Expiration": "expiration",
    "ProjectName": "project_name",
    "ProjectID": "project_id",
    "RequestUser": "request_user",
    "OIDCPublisher": "oidc_publisher",
    "LegacyUser": "request_user",
    "KeyBinding": "key_binding",
}


class Generator:
    def __init__(self, warehouse: Warehouse, pypitoken_python: str, node_path: str):
        self.w = warehouse
        self.pypitoken_python = pypitoken_python
        self.node_path = node_path
        self._npm_requests: list = []
        self.files: dict[str, list] = {c: [] for c in CATEGORIES}
        self.ids: set[str] = set()
        self._peer_requests: list = []

    # -- peers -------------------------------------------------------------------------------

    def _ask_pypitoken(self, req) -> int:
        self._peer_requests.append(req)
        return len(self._peer_requests) - 1

    def _ask_npm(self, req) -> int:
        self._npm_requests.append(req)
        return len(self._npm_requests) - 1

    def _resolve_npm(self):
        env = dict(os.environ, NODE_PATH=self.node_path)
        out = subprocess.run(
            ["node", os.path.join(PACKAGE, "npm_peer.js")],
            input=json.dumps(self._npm_requests),
            capture_output=True,
            text=True,
            env=env,
        )
        if out.returncode:
            raise SystemExit("npm macaroon peer failed:\n" + out.stderr[-3000:])
        answers = json.loads(out.stdout)
        for vectors in self.files.values():
            for v in vectors:
                peers = v.get("peers", {})
                slot = peers.get("npm_macaroon")
                if isinstance(slot, int):
                    peers["npm_macaroon"] = answers[slot]
                    if v["kind"] == "decode" and answers[slot]["valid"] != v["expected"]["warehouse"]["valid"]:
                        v["flags"] = sorted(set(v["flags"]) | {"npm-macaroon-divergence"})

    def _resolve_peers(self):
        self._resolve_npm()
        out = subprocess.run(
            [self.pypitoken_python, "-m", "caveatgen.pypitoken_peer"],
            input=json.dumps(self._peer_requests),
            capture_output=True,
            text=True,
        )
        if out.returncode:
            raise SystemExit("pypitoken peer failed:\n" + out.stderr[-3000:])
        answers = json.loads(out.stdout)
        for vectors in self.files.values():
            for v in vectors:
                peers = v.get("peers", {})
                slot = peers.get("pypitoken")
                if isinstance(slot, int):
                    ans = answers[slot]
                    peers["pypitoken"] = ans
                    if ans["valid"] != v["expected"].get("warehouse", v["expected"])["valid"]:
                        v["flags"] = sorted(set(v["flags"]) | {"pypitoken-divergence"})

    # -- recording ---------------------------------------------------------------------------

    def _add(self, category, vid, description, flags, kind, inp, expected, peers=None):
        assert vid not in self.ids, f"duplicate id {vid}"
        assert all(f in FLAGS for f in flags), flags
        self.ids.add(vid)
        v = {
            "id": vid,
            "kind": kind,
            "description": description,
            "flags": sorted(set(flags)),
            "input": inp,
            "expected": expected,
        }
        if peers:
            v["peers"] = peers
        wv = expected.get("warehouse", {}).get("valid")
        sv = expected.get("strict", {}).get("valid")
        if wv is not None and sv is not None and wv != sv:
            v["flags"] = sorted(set(v["flags"]) | {"profile-divergence"})
        self.files[category].append(v)
        return v

    # -- decode -------------------------------------------------------------------------------

    @staticmethod
    def _fields(m):
        caveats = []
        for c in m.caveats:
            caveats.append(
                {
                    "id_hex": c.caveat_id_bytes.hex(),
                    "vid_hex": None if c.verification_key_id is None else c.verification_key_id.hex(),
                    "location": c.location or None,
                }
            )
        return {
            "version": m.version,
            "location": m.location,
            "identifier_hex": m.identifier_bytes.hex(),
            "caveats": caveats,
            "signature_hex": m.signature_bytes.decode(),
        }

    def decode(self, category, vid, description, token, flags=()):
        w = self.w.decode(token)
        if w["ok"]:
            m = w["macaroon"]
            wexp = {"valid": True, "macaroon": self._fields(m)}
        else:
            if w["message"] == "malformed or nonexistent macaroon":
                prefix, sep, body = token.partition("-")
                code = (
                    "token.no_prefix" if not sep else ("token.wrong_prefix" if prefix != "pypi" else "token.empty_body")
                )
            else:
                code = "token.base64" if not base64_decodes(token.partition("-")[2]) else "macaroon.malformed"
            wexp = {"valid": False, "codes": [code], "message": w["message"]}
        try:
            loc, ident, cavs, sig = strict.decode(token)
            sexp = {
                "valid": True,
                "macaroon": {
                    "version": 2,
                    "location": loc.decode(),
                    "identifier_hex": ident.hex(),
                    "caveats": [{"id_hex": c.hex(), "vid_hex": None, "location": None} for c in cavs],
                    "signature_hex": sig.hex(),
                },
            }
        except strict.Reject as r:
            sexp = {"valid": False, "codes": [r.code]}
        peers = {"pypitoken": self._ask_pypitoken({"op": "load", "token": token})}
        flags = list(flags)
        prefix, _, body = token.partition("-")
        # The macaroon libraries know nothing of PyPI's prefix: ask them about the body only
        # when PyPI's prefix check passed.
        if prefix == "pypi" and body:
            try:
                pymacaroons.Macaroon.deserialize(body)
                pm = {"valid": True}
            except Exception as exc:  # noqa: BLE001
                pm = {"valid": False, "error": type(exc).__name__, "message": str(exc)}
            peers["pymacaroons"] = pm
            peers["npm_macaroon"] = self._ask_npm({"op": "decode", "token": token})
            if pm["valid"] != wexp["valid"]:
                # PyPI decodes with pymacaroons: a disagreement means the oracle is broken.
                raise SystemExit(f"{vid}: pymacaroons and PyPI disagree on decoding")
        return self._add(
            category, vid, description, flags, "decode", {"token": token}, {"warehouse": wexp, "strict": sexp}, peers
        )

    # -- caveat --------------------------------------------------------------------------------

    def caveat(self, vid, description, caveat, flags=(), request_user=None):
        raw = caveat if isinstance(caveat, bytes) else caveat.encode("utf-8")
        try:
            text_ok = raw.decode("utf-8")
            inp = {"caveat": text_ok}
        except UnicodeDecodeError:
            inp = {"caveat_hex": raw.hex()}
        if request_user is not None:
            inp["request_user"] = request_user
        r = self.w.parse_caveat(raw, request_user)
        if r["ok"]:
            wexp = {"valid": True, "kind": KIND_NAMES[r["type"]], "canonical": r["canonical"]}
        elif r["exception"] == "CaveatError":
            wexp = {"valid": False, "codes": [reason_code(r["message"], None)], "message": r["message"]}
        else:
            wexp = {"valid": False, "codes": [_ABORT_CODES[r["exception"]]], "message": "unknown error"}
        try:
            parsed = strict.parse_caveat(raw, request_user)
            canon = strict.canonical(parsed)
            if canon is None:
                sexp = {"valid": False, "codes": ["request_user.no_user"]}
            else:
                sexp = {"valid": True, "kind": KIND_NAMES[parsed[0]], "canonical": canon}
        except strict.Reject as rj:
            sexp = {"valid": False, "codes": [rj.code]}
        peers = None
        if "caveat" in inp:
            peers = {"pypitoken": self._ask_pypitoken({"op": "load_caveat", "caveat": inp["caveat"]})}
        return self._add(
            "caveat-parsing", vid, description, flags, "caveat", inp, {"warehouse": wexp, "strict": sexp}, peers
        )

    # -- verify --------------------------------------------------------------------------------

    def _warehouse_codes(self, token, key, row, now, project):
        """Replay the caveat loop one caveat at a time to name each failure PyPI joins."""
        body_ok = self.w.decode(token)
        m = body_ok["macaroon"]
        raws = [c.caveat_id_bytes for c in m.caveats] + [
            self.w.serialize_stored(s) for s in row.get("stored_caveats", [])
        ]
        firsts = [c.verification_key_id is None for c in m.caveats] + [True] * len(row.get("stored_caveats", []))
        owner = row.get("owner")
        codes, reasons = [], []
        for raw, first in zip(raws, firsts):
            if not first:
                codes.append("macaroon.third_party_caveat")
                return codes, reasons, True
            r = self.w.parse_caveat(raw, owner.get("user_id") if owner and "user_id" in owner else None)
            if not r["ok"]:
                if r["exception"] == "CaveatError":
                    codes.append(reason_code(r["message"], None))
                    reasons.append(r["message"])
                    continue
                codes.append(_ABORT_CODES[r["exception"]])
                return codes, reasons, True
            reason = self._evaluate(raw, owner, now, project)
            if reason is not None:
                codes.append(reason_code(reason, r["type"]))
                reasons.append(reason)
        return codes, reasons, False

    def _evaluate(self, raw, owner, now, project):
        """Call the real caveat's verify() with the same request Warehouse would build."""
        w = self.w
        w._clock.time = lambda: now
        project_obj = w._project(project)
        user = User(owner["user_id"]) if owner and "user_id" in owner else None
        dm = w.Macaroon(IDENT, KEY, [], user, None)
        request = w._request_for(owner, dm, project_obj)
        w.threadlocal.manager.push({"request": request, "registry": None})
        try:
            cav = w.caveats.deserialize(raw.decode())
            res = cav.verify(request, project_obj, "upload")
        finally:
            w.threadlocal.manager.pop()
        return getattr(res, "reason", None)

    def verify(
        self,
        category,
        vid,
        description,
        token,
        now,
        project,
        owner,
        stored=(),
        key=KEY,
        identifier=IDENT,
        flags=(),
        proof_jkt=None,
    ):
        row = {"identifier": identifier, "owner": owner, "stored_caveats": list(stored)}
        inp = {"token": token, "key_hex": key.hex(), "now": now, "project": project, "row": row}
        if proof_jkt is not None:
            # A DPoP proof's key, already verified by the caller. PyPI reads no DPoP header, so
            # Warehouse is asked exactly as without it.
            inp["proof_jkt"] = proof_jkt
        w = self.w.verify(token, key, row, now, project)
        flags = list(flags)
        if w["valid"]:
            wexp = {"valid": True, "codes": [], "message": w["message"]}
        elif w["stage"] == "lookup":
            if "server_error" in w:
                codes = ["macaroon.v1_server_error" if w["server_error"] == "AttributeError" else "server_error"]
                flags.append("server-error")
            elif w["message"] == "malformed or nonexistent macaroon":
                prefix, sep, _ = token.partition("-")
                codes = [
                    "token.no_prefix" if not sep else ("token.wrong_prefix" if prefix != "pypi" else "token.empty_body")
                ]
            elif w["message"] == "malformed macaroon":
                codes = ["token.base64" if not base64_decodes(token.partition("-")[2]) else "macaroon.malformed"]
            elif w["message"] == "Macaroon not found":
                codes = ["macaroon.not_found"]
            else:
                raise SystemExit(f"{vid}: unexpected lookup outcome {w}")
            wexp = {"valid": False, "codes": codes, "message": w["message"]}
        elif "server_error" in w:
            raise SystemExit(f"{vid}: server error in verify {w}")
        else:
            codes, reasons, aborted = self._warehouse_codes(token, key, row, now, project)
            if reasons:
                expect_msg = ", ".join(reasons)
            elif aborted:
                expect_msg = "unknown error"
            else:
                expect_msg = "signatures do not match"
                codes.append("signature.mismatch")
            if expect_msg != w["message"]:
                raise SystemExit(f"{vid}: replay gives {expect_msg!r}, Warehouse said {w['message']!r}")
            if aborted:
                flags.append("abort")
            wexp = {"valid": False, "codes": codes, "message": w["message"]}
        sv, scodes = strict.verify(token, key, row, now, project, proof_jkt)
        sexp = {"valid": sv, "codes": scodes}
        peers = {}
        pkw = {"op": "check", "token": token, "key_hex": key.hex(), "now": now}
        if project is not None:
            pkw["project_name"] = strict.normalize(project["name"])
            pkw["project_id"] = project["id"]
        if owner and "user_id" in owner:
            pkw["user_id"] = owner["user_id"]
        peers["pypitoken"] = self._ask_pypitoken(pkw)
        sig = signature_valid(token, key)
        peers["pymacaroons"] = {"signature_valid": sig}
        peers["npm_macaroon"] = self._ask_npm({"op": "signature", "token": token, "key_hex": key.hex()})
        return self._add(category, vid, description, flags, "verify", inp, {"warehouse": wexp, "strict": sexp}, peers)

    # -- mint / restrict ----------------------------------------------------------------------

    def mint_vector(
        self, vid, description, restrictions, key=KEY, identifier=IDENT, location=LOCATION, flags=(), expect_error=None
    ):
        inp = {"key_hex": key.hex(), "identifier": identifier, "location": location, "restrictions": restrictions}
        if expect_error:
            exp = {"valid": False, "codes": [expect_error]}
        else:
            cavs = self.restriction_caveats(restrictions)
            exp = {"valid": True, "caveats": cavs, "token": mint(cavs, key, identifier, location)}
        return self._add("minting", vid, description, flags, "mint", inp, exp)

    def restrict_vector(
        self, vid, description, token, restrictions, flags=(), expect_error=None, pypitoken_kwargs=None
    ):
        inp = {"token": token, "restrictions": restrictions}
        if expect_error:
            exp = {"valid": False, "codes": [expect_error]}
        else:
            cavs = self.restriction_caveats(restrictions)
            m = pymacaroons.Macaroon.deserialize(token.partition("-")[2])
            for c in cavs:
                m.add_first_party_caveat(c)
            exp = {"valid": True, "caveats": cavs, "token": "pypi-" + m.serialize()}
        peers = None
        if pypitoken_kwargs is not None:
            peers = {"pypitoken": self._ask_pypitoken({"op": "restrict", "token": token, "kwargs": pypitoken_kwargs})}
        v = self._add("attenuation", vid, description, flags, "restrict", inp, exp, peers)
        return v

    def restriction_caveats(self, r):
        """Caveat bytes for restrictions, built with Warehouse's own caveat classes and serializer."""
        C = self.w.caveats
        out = []
        if "not_before" in r or "not_after" in r:
            out.append(C.serialize(C.Expiration(expires_at=r["not_after"], not_before=r["not_before"])))
        if "project_names" in r:
            out.append(C.serialize(C.ProjectName(normalized_names=[strict.normalize(n) for n in r["project_names"]])))
        if "project_ids" in r:
            out.append(C.serialize(C.ProjectID(project_ids=r["project_ids"])))
        if "user_id" in r:
            out.append(C.serialize(C.RequestUser(user_id=r["user_id"])))
        out = [c.decode() for c in out]
        if "bind_jkt" in r:
            # Warehouse has no key-binding caveat class; the strict profile's serializer writes it.
            out.append(strict.canonical(("KeyBinding", (r["bind_jkt"],))))
        return out

    # -- output --------------------------------------------------------------------------------

    def write(self):
        self._resolve_peers()
        generator = stamp(
            "pypi_gen",
            (
                "setup",
                "requirements/warehouse.txt",
                "requirements/pypitoken.txt",
                "requirements/npm/package-lock.json",
                "pypitoken_peer.py",
                "npm_peer.js",
            ),
        )
        for category, vectors in self.files.items():
            write_file(
                category,
                vectors,
                FLAGS,
                CATEGORIES[category],
                generator,
                {
                    "warehouse": {"repository": "pypi/warehouse", "commit": self.w.commit},
                    "pymacaroons": pymacaroons.__version__ if hasattr(pymacaroons, "__version__") else "0.13.0",
                    "pypitoken": "7.1.1",
                    "npm_macaroon": "3.0.4",
                },
            )


def main():
    src = os.environ.get("WAREHOUSE_SRC")
    py = os.environ.get("PYPITOKEN_PYTHON")
    node_path = os.environ.get("MACAROON_NODE_PATH")
    if not src or not py or not node_path:
        raise SystemExit(
            "set WAREHOUSE_SRC (pypi/warehouse checkout), PYPITOKEN_PYTHON and MACAROON_NODE_PATH "
            "(a node_modules with macaroon@3.0.4); tools/caveatgen/setup does"
        )
    w = Warehouse(src)
    try:
        g = Generator(w, py, node_path)
        pypi_cases.build(g)
        g.write()
        total = sum(len(v) for v in g.files.values())
        print(f"wrote {total} vectors from Warehouse {w.commit[:12]}")
    finally:
        w.close()


if __name__ == "__main__":
    main()
