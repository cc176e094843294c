#!/usr/bin/env bash
# Later CLI calls of two launchers, interleaved: CPU (perf stat task-clock), wall time and dpq's --verbose phases.
# usage: bench/cli-ab.sh N query|explain DATASET.yaml LABEL1 LAUNCHER1 LABEL2 LAUNCHER2
# Each query gets a new epsilon (digits of the clock, ending in 1 so that no two spell the same number), so none is
# answered from the ledger's stored answers.
# The two launchers may be the same with different DPQ_JAVA_OPTS: set OPTS1 / OPTS2.
set -euo pipefail
n=$1 cmd=$2 yaml=$3
labels=("$4" "$6") launchers=("$5" "$7") opts=("${OPTS1:-}" "${OPTS2:-}")
q="SELECT grp, COUNT(*) AS n, SUM(amount) AS total FROM people GROUP BY grp"
stat=$(mktemp)
for _ in $(seq 1 "$n"); do
  for k in 0 1; do
    eps="0.$(date +%s%N | cut -c6-15)1"
    if [ "$cmd" = query ]; then args=(query --dataset "$yaml" --verbose --epsilon "$eps" "$q")
    else args=(explain --dataset "$yaml" --verbose "$q"); fi
    out=$(DPQ_JAVA_OPTS="${opts[$k]}" perf stat -x, -e task-clock -o "$stat" /usr/bin/time -f "WALL %e" \
        "${launchers[$k]}" "${args[@]}" 2>&1 >/dev/null)
    echo "${labels[$k]} $(grep task-clock "$stat" | cut -d, -f1) $(echo "$out" | awk '/^WALL/ {print $2}') |" \
        "$(echo "$out" | sed -n 's/^dpq: time: //p')"
  done
done
rm -f "$stat"
