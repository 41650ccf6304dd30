#!/usr/bin/env bash
# Local fuzzing campaign: each target in turn for SECONDS seconds (default 600), one process,
# starting from the committed seeds. Prints per target: executions per second, coverage
# (libFuzzer's `cov` edges and `ft` features at the end) and findings (crash, leak, timeout,
# out-of-memory artifacts). The working corpus is fuzz/corpus/<target> (ignored by git).
#
#   fuzz/campaign.sh [SECONDS] [TARGET…]
#
# Needs a nightly toolchain and cargo-fuzz: `rustup toolchain install nightly` and
# `cargo install cargo-fuzz`. Exits 1 when any target left a finding.
set -uo pipefail
cd "$(dirname "$0")/.."
secs="${1:-600}"
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(token macaroon caveat verify differential dpop atr presented)
logs=fuzz/target/campaign
mkdir -p "$logs"
cargo +nightly fuzz build >/dev/null || exit 2
dict_for() { case "$1" in caveat|verify) echo fuzz/dict/caveat.dict ;; dpop) echo fuzz/dict/dpop.dict ;; atr|presented) echo fuzz/dict/atr.dict ;; *) echo fuzz/dict/token.dict ;; esac; }
found=0
printf '%-13s %8s %10s %8s %8s %s\n' target seconds execs/s cov ft findings
for t in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
  before=$(find "fuzz/artifacts/$t" -type f | wc -l)
  cargo +nightly fuzz run "$t" "fuzz/corpus/$t" "fuzz/seeds/$t" -- \
    -max_total_time="$secs" -dict="$(dict_for "$t")" -max_len=8192 -rss_limit_mb=2048 \
    -timeout=10 -print_final_stats=1 -jobs=1 -workers=1 >"$logs/$t.log" 2>&1
  after=$(find "fuzz/artifacts/$t" -type f | wc -l)
  last=$(grep -E '^#[0-9]+' "$logs/$t.log" | tail -1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$logs/$t.log")
  n=$((after - before))
  [ "$n" -gt 0 ] && found=1
  printf '%-13s %8s %10s %8s %8s %s\n' "$t" "$secs" "${eps:-?}" "${cov:-?}" "${ft:-?}" "$n (log: $logs/$t.log)"
done
exit "$found"
