"""caveatspec adapter for PyPI's own verifier (pypi/warehouse), optional.

Takes a checkout of pypi/warehouse from WAREHOUSE_SRC (a work tree or a bare git directory) and
runs its token code the way tools/caveatgen does when it writes the vectors: the modules under
`warehouse/macaroons/` are read from the checkout at run time, only the database and request
types are stubbed (tools/caveatgen/pypi_warehouse.py), and the codes are named by replaying
the caveats one at a time through the same code (tools/caveatgen/pypi_gen.py). Nothing of
Warehouse is stored in this repository. Run against a checkout, the matrix row it produces is
the proof that every warehouse-profile expectation is what PyPI's code does.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packages" / "python" / "src"))
sys.path.insert(0, str(ROOT / "tools"))
from caveatspec_vectors import adapter  # noqa: E402


def main():
    src = os.environ.get("WAREHOUSE_SRC")
    if not src:
        raise SystemExit("set WAREHOUSE_SRC to a pypi/warehouse checkout")
    from caveatgen.pypi_gen import Generator  # the generator's own Warehouse-to-codes mapping
    from caveatgen.pypi_warehouse import Warehouse

    w = Warehouse(src)
    g = Generator(w, "", "")

    def expectation(add):
        """Run one generator step and answer the warehouse expectation it computed, every field
        of it: codes (an empty list too), PyPI's message, the value."""
        g.ids.clear()
        g.files = {c: [] for c in g.files}
        exp = add()["expected"]["warehouse"]
        value = {k: v for k, v in exp.items() if k not in ("valid", "codes", "message")}
        return adapter.Answer("valid" if exp["valid"] else "invalid", codes=exp.get("codes", []),
                              message=exp.get("message"), value=value or None)

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
        adapter.serve({"name": "warehouse (PyPI)", "version": w.commit[:12], "language": "Python",
                       "profile": "warehouse", "kinds": ["decode", "caveat", "verify"], "messages": True},
                      {"decode": decode, "caveat": caveat, "verify": verify})
    finally:
        w.close()


if __name__ == "__main__":
    main()
