"""The one writer of vectors/<category>.json, in the format vectors/schema/vectors.schema.json
describes."""

import json
import os

from caveatgen.basis import with_basis
from caveatgen.digest import ROOT

FORMAT_VERSION = 1


def write_file(category, vectors, flags, description, generator, sources):
    """Writes vectors/<category>.json, listing the flags (of the `flags` table) its vectors use,
    and says so on stdout."""
    doc = {
        "$schema": "schema/vectors.schema.json",
        "format_version": FORMAT_VERSION,
        "category": category,
        "description": description,
        "generator": generator,
        "sources": sources,
        "flags": {f: flags[f] for f in sorted({f for v in vectors for f in v["flags"]})},
        "number_of_vectors": len(vectors),
        "vectors": [with_basis(v) for v in vectors],
    }
    with open(os.path.join(ROOT, "vectors", f"{category}.json"), "w") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"wrote vectors/{category}.json: {len(vectors)} vectors")
