#!/bin/bash
# Builds every fuzz target into $OUT with its seed corpus (the committed seeds and regression
# inputs) and dictionary. Used as is by ClusterFuzzLite and by OSS-Fuzz (fuzz/oss-fuzz/).
# Inside the builder image `cargo fuzz build` picks up the sanitizer flags from the
# environment; locally it needs cargo-fuzz and the nightly toolchain as the default there:
#   mkdir -p /tmp/src /tmp/out && ln -s "$PWD" /tmp/src/caveatspec
#   RUSTUP_TOOLCHAIN=nightly SRC=/tmp/src OUT=/tmp/out .clusterfuzzlite/build.sh
set -euo pipefail
cd "$SRC/caveatspec"
targets="token macaroon caveat verify differential dpop atr presented"
cargo fuzz build -O
bin="fuzz/target/x86_64-unknown-linux-gnu/release"
for t in $targets; do
  cp "$bin/$t" "$OUT/$t"
  rm -f "$OUT/${t}_seed_corpus.zip"
  (cd fuzz && zip -q -j "$OUT/${t}_seed_corpus.zip" seeds/"$t"/* $(ls regressions/"$t"/* 2>/dev/null))
  case "$t" in
    caveat|verify) cp fuzz/dict/caveat.dict "$OUT/$t.dict" ;;
    dpop) cp fuzz/dict/dpop.dict "$OUT/$t.dict" ;;
    atr|presented) cp fuzz/dict/atr.dict "$OUT/$t.dict" ;;
    *) cp fuzz/dict/token.dict "$OUT/$t.dict" ;;
  esac
done
