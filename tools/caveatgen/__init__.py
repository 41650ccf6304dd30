"""The vector generators: each writes vectors/<category>.json from its cases and from real
implementations or independent checkers, never from the Rust reference.

    tools/caveatgen/setup --generate [GENERATOR ...]

`python -m caveatgen GENERATOR` (with tools/ on PYTHONPATH, as the setup script runs it) runs
one generator; `python -m caveatgen` lists them. Modules are named by the vectors they serve:
pypi_* (the PyPI token vectors, Warehouse's own code as the oracle), dpop_* (DPoP proofs and
JWK thumbprints), atr_* (ATR's JWTs, alone and under DPoP binding), macaroon_dpop (PyPI tokens
under DPoP binding), and the shared modules: encoding (base64url and compact JSON), digest (the
stamp every file records), vectorfile (the one file writer), pypi_fixtures and dpop_fixtures (the
fixed keys and constants several generators use), bound_request (the header fields of a
DPoP-bound request). This file imports nothing, so that no module loads more than it names.
"""
