"""caveatspec adapter for PyPI's own verifier (pypi/warehouse), optional.

Takes a checkout of pypi/warehouse from WAREHOUSE_SRC (a work tree or a bare git directory) and
runs its token code the way tools/vectorgen does when it writes the vectors: the modules under
`warehouse/macaroons/` are read from the checkout at run time, only the database and request
types are stubbed (tools/vectorgen/warehouse_oracle.py), and the codes are named by replaying
the caveats one at a time through the same code (tools/vectorgen/generate.py). Nothing of
Warehouse is stored in this repository. Run against a checkout, the matrix row it produces is
the proof that every warehouse-profile expectation is what PyPI's code does.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(HERE, "..", "python"))
sys.path.insert(0, os.path.join(ROOT, "tools", "vectorgen"))
import protocol  # noqa: E402


def main():
    src = os.environ.get("WAREHOUSE_SRC")
    if not src:
        raise SystemExit("set WAREHOUSE_SRC to a pypi/warehouse checkout")
    from generate import Generator  # noqa: E402 — the generator's own Warehouse-to-codes mapping
    from warehouse_oracle import Warehouse  # noqa: E402

    w = Warehouse(src)
    g = Generator(w, "", "")

    def expectation(add):
        """Run one generator step and take the warehouse expectation it computed."""
        g.ids.clear()
        g.files = {c: [] for c in g.files}
        exp = add()["expected"]["warehouse"]
        out = {"outcome": "valid" if exp["valid"] else "invalid", "codes": exp.get("codes", [])}
        if "message" in exp:
            out["message"] = exp["message"]
        value = {k: v for k, v in exp.items() if k not in ("valid", "codes", "message")}
        if value:
            out["value"] = value
        return out

    def decode(inp):
        return expectation(lambda: g.decode("token-encoding", "x", "", inp["token"]))

    def caveat(inp):
        raw = inp["caveat"].encode("utf-8") if "caveat" in inp else bytes.fromhex(inp["caveat_hex"])
        return expectation(lambda: g.caveat("x", "", raw, request_user=inp.get("request_user")))

    def verify(inp):
        row = inp["row"]
        return expectation(lambda: g.verify("verification", "x", "", inp["token"], inp["now"], inp["project"],
                                            row["owner"], row["stored_caveats"], bytes.fromhex(inp["key_hex"]),
                                            row["identifier"]))

    try:
        protocol.serve({"name": "warehouse (PyPI)", "version": w.commit[:12], "language": "Python",
                        "profile": "warehouse", "kinds": ["decode", "caveat", "verify"], "messages": True},
                       {"decode": decode, "caveat": caveat, "verify": verify})
    finally:
        w.close()


if __name__ == "__main__":
    main()
