"""Times the Python peers (pypitoken, pymacaroons) verifying the benchmark tokens.

    python_peers.py PEER VECTORS_JSON ID...      PEER: pypitoken | pymacaroons

Runs inside the venv that benches/peers/run creates. For every vector id it first checks that the
peer finds the token valid (and that it refuses the same token under a wrong key and after its
expiry, so a check that accepts everything cannot be timed), then times one request's worth of
work and prints one JSON line per vector:
{"peer", "version", "caveats", "median_ns", "iterations", ...}.
Anything unexpected raises, so the caller fails loudly instead of timing an error path.

Timing: a warm-up, a batch size chosen so that one batch lasts about BATCH_SECONDS, then REPEATS
batches; the result is the median over the batches of (batch time / batch size). The garbage
collector stays on, as it is in a server.
"""

import gc
import json
import os
import re
import statistics
import sys
import time
import timeit
from importlib.metadata import version

BATCH_SECONDS = float(os.environ.get("PEERS_BATCH_SECONDS", "0.1"))
REPEATS = int(os.environ.get("PEERS_REPEATS", "11"))
WARMUP_SECONDS = float(os.environ.get("PEERS_WARMUP_SECONDS", "0.2"))


def normalize(name):
    """PEP 503 normalization, as PyPI applies to the project a request targets."""
    return re.sub(r"[-_.]+", "-", name).lower()


class Request:
    """What the server knows when a token arrives: key, clock, target project, token owner."""

    def __init__(self, vector):
        inp = vector["input"]
        if inp["row"]["stored_caveats"]:
            raise SystemExit(f"{vector['id']}: stored caveats are not supported by this script")
        self.token = inp["token"]
        self.key = bytes.fromhex(inp["key_hex"])
        self.now = inp["now"]
        self.project_name = inp["project"]["name"]
        self.project_id = inp["project"]["id"]
        self.user_id = inp["row"]["owner"]["user_id"]
        self.identifier = inp["row"]["identifier"]


def is_int(v):
    return type(v) is int  # bool is an int subclass; a tag or time of `true` is refused


def caveat_holds(text, now, project_name, project_id, user_id):
    """PyPI's caveat language, the part the benchmark tokens use (plus project ids)."""
    try:
        c = json.loads(text)
    except ValueError:
        return False
    if not isinstance(c, list) or not c or not is_int(c[0]):
        return False
    tag = c[0]
    if tag == 0:  # [0, expires_at, not_before]
        return (len(c) == 3 and is_int(c[1]) and is_int(c[2])
                and c[2] <= now < c[1])
    if tag == 1:  # [1, [normalized project names]]
        return (len(c) == 2 and isinstance(c[1], list)
                and project_name is not None and project_name in c[1])
    if tag == 2:  # [2, [project ids]]
        return (len(c) == 2 and isinstance(c[1], list)
                and project_id is not None and project_id in c[1])
    if tag == 3:  # [3, user id]
        return len(c) == 2 and isinstance(c[1], str) and c[1] == user_id
    return False


# Each peer: (package name for the version, make(request, key, now) -> a zero-argument callable
# doing one request's verification, which raises when the token is refused, and
# count(token) -> number of caveats in the token as the peer decoded it).

def pypitoken_peer():
    import pypitoken

    def make(req, key, now):
        token, project_id, user_id = req.token, req.project_id, req.user_id
        display_name = req.project_name

        def one_request():
            t = pypitoken.Token.load(token)
            t.check(key=key, now=now, project_name=normalize(display_name),
                    project_id=project_id, user_id=user_id)
        return one_request

    def count(token):
        return len(pypitoken.Token.load(token)._macaroon.caveats)

    return "pypitoken", make, count


def pymacaroons_peer():
    from pymacaroons import Macaroon, Verifier

    def make(req, key, now):
        body = req.token.split("-", 1)[1]
        project_id, user_id = req.project_id, req.user_id
        display_name = req.project_name

        def one_request():
            m = Macaroon.deserialize(body)
            project_name = normalize(display_name)
            v = Verifier()
            v.satisfy_general(
                lambda text: caveat_holds(text, now, project_name, project_id, user_id))
            if v.verify(m, key) is not True:  # raises when refused; True otherwise
                raise AssertionError("pymacaroons verify returned without raising or True")
        return one_request

    def count(token):
        return len(Macaroon.deserialize(token.split("-", 1)[1]).caveats)

    return "pymacaroons", make, count


PEERS = {"pypitoken": pypitoken_peer, "pymacaroons": pymacaroons_peer}


def refused(fn):
    try:
        fn()
    except Exception:  # noqa: BLE001 — any refusal will do here
        return True
    return False


def median_ns_per_call(fn):
    deadline = time.perf_counter() + WARMUP_SECONDS
    while time.perf_counter() < deadline:
        fn()
    timer = timeit.Timer(fn, setup="gc.enable()", globals={"gc": gc})
    number = 1
    while True:
        elapsed = timer.timeit(number)
        if elapsed >= BATCH_SECONDS:
            break
        number = max(number * 2, int(number * BATCH_SECONDS / max(elapsed, 1e-9) * 1.1))
    batches = timer.repeat(repeat=REPEATS, number=number)
    per_call = [b / number * 1e9 for b in batches]
    return statistics.median(per_call), number, per_call


def main():
    peer_name, vectors_path, ids = sys.argv[1], sys.argv[2], sys.argv[3:]
    package, make, count = PEERS[peer_name]()
    with open(vectors_path, encoding="utf-8") as f:
        by_id = {v["id"]: v for v in json.load(f)["vectors"]}
    requests = []
    for vid in ids:
        if vid not in by_id:
            raise SystemExit(f"{vectors_path}: no vector {vid}")
        req = Request(by_id[vid])
        n = count(req.token)
        expected = by_id[vid].get("expected", {}).get("warehouse", {}).get("valid")
        if expected is not True:
            raise SystemExit(f"{vid}: the vector does not expect a valid token")
        # The verdicts, before any timing.
        try:
            make(req, req.key, req.now)()
        except Exception as exc:  # noqa: BLE001
            raise SystemExit(f"{peer_name} REFUSES the valid token {vid}: "
                             f"{type(exc).__name__}: {exc}") from exc
        wrong_key = bytes(b ^ 0xFF for b in req.key)
        if not refused(make(req, wrong_key, req.now)):
            raise SystemExit(f"{peer_name} accepts {vid} under a wrong key")
        if not refused(make(req, req.key, 2**40)):
            raise SystemExit(f"{peer_name} accepts {vid} long after its expiry")
        requests.append((vid, n, req))
    print(f"{peer_name}: all {len(requests)} tokens valid; wrong key and expired refused",
          file=sys.stderr)

    for vid, n, req in requests:
        med, batch, per_call = median_ns_per_call(make(req, req.key, req.now))
        print(json.dumps({
            "peer": package, "version": version(package), "caveats": n,
            "median_ns": round(med, 1), "iterations": batch * REPEATS,
            "batch": batch, "repeats": REPEATS, "vector": vid,
            "min_ns": round(min(per_call), 1), "max_ns": round(max(per_call), 1),
        }), flush=True)


if __name__ == "__main__":
    main()
