#!/usr/bin/env bash
# The timing probe of issue 12, before (main at 3801a98, built once in a temporary folder) and after (this tree).
# Usage: bench/sidechannel/timing-probe.sh [runs]   (from the repository root; needs the CLI jar of this tree:
#        mvn -B -ntp -o package -pl cli -am -DskipTests)
set -euo pipefail
RUNS=${1:-9}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BEFORE=${DPQ_BEFORE_DIR:-/tmp/dpq-before-3801a98}
if ! ls "$BEFORE"/cli/target/dpq-cli-*-all.jar >/dev/null 2>&1; then
  mkdir -p "$BEFORE"
  git -C "$ROOT" archive 3801a98 | tar -x -C "$BEFORE"
  (cd "$BEFORE" && mvn -B -ntp -o -q package -pl cli -am -DskipTests)
fi
for side in before after; do
  if [ "$side" = before ]; then DIR=$BEFORE; else DIR=$ROOT; fi
  JAR=$(ls "$DIR"/cli/target/dpq-cli-*-all.jar | head -1)
  echo "== $side ($JAR)"
  java -Xmx2g -cp "$JAR" "$ROOT/bench/sidechannel/TimingProbe.java" "$(mktemp -d)" "$RUNS"
done
