# shellcheck shell=bash
# Sourced by a shell or a script that wants only a JDK >= 21 (`source scripts/lib/java.sh &&
# ./mvnw …`, wechat-sim/bench/sim-throughput.sh): exports JAVA_HOME and PATH, sets JAVA.
# The lookup is use_java of scripts/lib/common.sh, the scripts' one library.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
use_java
