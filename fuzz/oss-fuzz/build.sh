#!/bin/bash
# The repository's own build script, so OSS-Fuzz and ClusterFuzzLite build the same way.
set -euo pipefail
exec "$SRC/caveatspec/.clusterfuzzlite/build.sh"
