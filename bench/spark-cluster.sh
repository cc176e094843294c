#!/usr/bin/env bash
# dpq vs the same non-private Spark SQL on a loopback Spark standalone cluster (a master and workers started as
# separate JVMs from the Maven-resolved Spark jars; nothing is downloaded). Seeded rows are written once as Parquet
# under /tmp/dpq-bench-cluster (never committed). Usage, from the repository root, after
#   mvn -B -ntp -o install -DskipTests -pl spark -am
#   bench/spark-cluster.sh [rows=10000000] [runs=3] [workers=2] [cores per worker=1] [worker memory=2g]
# Extra JVM options for the driver (heap): DPQ_BENCH_JAVA_OPTS (default -Xmx2g).
set -euo pipefail
cd "$(dirname "$0")/.."
cp_file=$(mktemp)
trap 'rm -f "$cp_file"' EXIT
mvn -B -ntp -o -q -pl spark dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >/dev/null
# this worktree's classes first (the snapshot jars in ~/.m2 may be another build's)
local_cp="spark/target/test-classes:spark/target/classes:engine/target/classes:engine/target/test-classes"
local_cp="$local_cp:budget/target/classes:mechanisms/target/classes:api/target/classes"
opens=$(sed -n '/<spark.java17.opens>/,/<\/spark.java17.opens>/p' spark/pom.xml | sed 's/<[^>]*>//g' | tr -s ' \n' ' ')
uptime
# shellcheck disable=SC2086
java ${DPQ_BENCH_JAVA_OPTS:--Xmx2g} $opens -Dspark.ui.enabled=false -cp "$local_cp:$(cat "$cp_file")" \
  org.dpq.spark.ClusterBench "$@"
