"""`python -m caveatgen GENERATOR`: runs one generator (or `fuzz-seeds`) (a fresh process per generator, since
the ATR oracle freezes PyJWT's clock for the whole interpreter)."""

import importlib
import sys

# Generator name (the vector file it writes) -> module with a main().
GENERATORS = {
    "pypi": "pypi_gen",
    "dpop": "dpop_gen",
    "atr-jwt": "atr_gen",
    "atr-dpop": "atr_dpop",
    "macaroon-dpop": "macaroon_dpop",
    # Not a vector file: the plain-byte fuzz seeds, from the vectors (standard library only).
    "fuzz-seeds": "fuzz_seeds",
}


def main(argv):
    if len(argv) != 1 or argv[0] not in GENERATORS:
        raise SystemExit("usage: python -m caveatgen {" + ",".join(GENERATORS) + "}")
    importlib.import_module(f"caveatgen.{GENERATORS[argv[0]]}").main()


if __name__ == "__main__":
    main(sys.argv[1:])
