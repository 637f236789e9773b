# Shared by bin/braid, bin/jmh and bin/test: find a JDK 25, install missing Debian packages, build.
# Sourced, not run. Everything here is idempotent and quiet when there is nothing to do.

BRAID_ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)
BRAID_MIN_JAVA=25
# What every Braid JVM started from here needs: native access (Netty's epoll, JNA), Netty's use of
# sun.misc.Unsafe, and the two packages IntrinsicChaCha20Poly1305 reaches into (its JVM_OPTIONS;
# the supervisor adds those to workers itself). appliance-image/deb/braid.in carries the same.
BRAID_JVM_ACCESS=(--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow
  --add-opens=java.base/com.sun.crypto.provider=ALL-UNNAMED --add-opens=java.base/sun.security.util.math=ALL-UNNAMED)

java_major() { # prints the major version of the java binary $1, or nothing
  "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}'
}

# Sets JAVA_HOME to a JDK >= 25: $JAVA_HOME if it qualifies, else the newest under /usr/lib/jvm.
find_jdk() {
  local candidates=() d v best="" bestv=0
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  for d in /usr/lib/jvm/*/; do candidates+=("${d%/}"); done
  for d in "${candidates[@]}"; do
    [ -x "$d/bin/java" ] && [ -x "$d/bin/javac" -o -n "${BRAID_RUNTIME_ONLY:-}" ] || continue
    v=$(java_major "$d/bin/java"); v=${v%%.*}
    [[ "$v" =~ ^[0-9]+$ ]] || continue
    if [ "$v" -ge "$BRAID_MIN_JAVA" ] && [ "$v" -gt "$bestv" ]; then best=$d; bestv=$v; fi
    # an explicit JAVA_HOME that qualifies wins over anything found by searching
    if [ "$d" = "${JAVA_HOME:-}" ] && [ -n "$best" ]; then break; fi
  done
  if [ -z "$best" ]; then
    echo "braid: needs a JDK $BRAID_MIN_JAVA or newer; none in JAVA_HOME (${JAVA_HOME:-unset}) or /usr/lib/jvm." >&2
    echo "braid: install one (for example Temurin 25) or point JAVA_HOME at it." >&2
    return 1
  fi
  export JAVA_HOME=$best
  export PATH="$JAVA_HOME/bin:$PATH"
}

# Installs the Debian packages whose commands are missing. Arguments: command:package pairs.
ensure_packages() {
  local want=() pair cmd pkg
  for pair in "$@"; do
    cmd=${pair%%:*}; pkg=${pair#*:}
    command -v "$cmd" >/dev/null 2>&1 || want+=("$pkg")
  done
  [ ${#want[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "braid: missing packages (${want[*]}); run as root or install them: apt-get install ${want[*]}" >&2
    return 1
  fi
  echo "braid: installing ${want[*]} ..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends "${want[@]}" >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q --no-install-recommends "${want[@]}" >/dev/null; } \
    || { echo "braid: could not install ${want[*]}" >&2; return 1; }
}

MVN_FLAGS=(-B -q)
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED"

braid_jar() { ls "$BRAID_ROOT"/gateway/target/gateway-*.jar 2>/dev/null | grep -v -e sources -e tests | head -1; }

# Build output (target/, where JMH and Maven write generated .java files) does not count as a source.
jars_current() {
  local jar; jar=$(braid_jar)
  [ -n "$jar" ] && [ -d "$BRAID_ROOT/gateway/target/lib" ] \
    && [ -z "$(find "$BRAID_ROOT" \( -path "$BRAID_ROOT/.git" -o -name target -o -name .cifuzz-corpus \) -prune -o \( -name '*.java' -o -name 'pom.xml' -o -path '*/src/main/resources/*' \) -newer "$jar" -print -quit)" ]
}

# Builds the jars when they are missing or older than any source or pom. Concurrent callers
# (a pipe of two braid commands) wait for one build instead of clobbering each other's.
ensure_built() {
  jars_current && return 0
  ensure_packages mvn:maven || return 1
  mkdir -p "$BRAID_ROOT/gateway/target"
  exec {lock}>"$BRAID_ROOT/gateway/target/.build.lock"
  flock "$lock"
  if jars_current; then flock -u "$lock"; return 0; fi
  echo "braid: building (mvn package -DskipTests) ..." >&2
  (cd "$BRAID_ROOT" && mvn "${MVN_FLAGS[@]}" -DskipTests package 2>&1 | sed -e 's/\x1b\[[0-9;]*m//g' | grep -v -e '^WARNING: ' -e '^$' >&2; exit "${PIPESTATUS[0]}") \
    || { flock -u "$lock"; echo "braid: build failed" >&2; return 1; }
  mark_jars_built
  flock -u "$lock"
}

# After a successful `mvn package` the jars are current even where Maven kept a jar untouched
# because its own module did not change (a change to another module's tests, say): stamp it so
# that jars_current says so.
mark_jars_built() {
  local jar; jar=$(braid_jar)
  [ -n "$jar" ] && touch "$jar"
}
