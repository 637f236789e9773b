# Shared by appliance-image/build-deb, check-deb, build and smoke-test. Sourced, not run.
# Reuses bin/lib/common.sh (JDK 25 search, Debian package installs, the jar freshness check).

APPLIANCE_DIR=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
. "$APPLIANCE_DIR/../bin/lib/common.sh"
OUT_DIR=$APPLIANCE_DIR/out
CACHE_DIR=$OUT_DIR/cache
DEBIAN_SUITE=bookworm
DEBIAN_MIRROR=${BRAID_DEBIAN_MIRROR:-http://deb.debian.org/debian}

say() { echo "${0##*/}: $*" >&2; }
die() { echo "${0##*/}: $*" >&2; exit 1; }

need_root() {
  [ "$(id -u)" -eq 0 ] || die "run as root (it installs Debian packages and builds file systems with root-owned files)"
}

# The Maven project version the jars were built as (gateway-<version>.jar), e.g. 0.1.0-SNAPSHOT.
maven_version() {
  local jar; jar=$(braid_jar)
  [ -n "$jar" ] || die "no gateway jar in $BRAID_ROOT/gateway/target"
  jar=${jar##*/gateway-}; echo "${jar%.jar}"
}

# Maven version -> Debian version: 0.1.0-SNAPSHOT -> 0.1.0~snapshot (sorts before the 0.1.0 release).
# BRAID_DEB_VERSION overrides it (check-deb uses that to make an "upgrade" package).
deb_version() {
  if [ -n "${BRAID_DEB_VERSION:-}" ]; then echo "$BRAID_DEB_VERSION"; return; fi
  maven_version | sed -e 's/-SNAPSHOT$/~snapshot/' -e 's/-/~/g' | tr 'A-Z' 'a-z'
}

deb_file() { echo "$OUT_DIR/braid_$(deb_version)_amd64.deb"; }

# Builds the jars with `mvn package` when they are missing or older than a source or pom (never
# `mvn install`: that would replace jars that other checkouts resolve from ~/.m2).
ensure_jars() {
  jars_current && return 0
  ensure_packages mvn:maven
  say "building the jars (mvn -DskipTests package) ..."
  (cd "$BRAID_ROOT" && mvn "${MVN_FLAGS[@]}" -DskipTests package 2>&1 | grep -v -e '^WARNING: ' -e '^$' >&2; exit "${PIPESTATUS[0]}") \
    || die "mvn package failed"
  mark_jars_built
  jars_current || die "mvn package did not leave a current gateway jar in gateway/target"
}

# A Debian $DEBIAN_SUITE tree made by debootstrap, kept as a tarball in the cache so that the next
# run unpacks it in seconds. $1 = variant (minbase), $2 = comma-separated extra packages, $3 = where
# to unpack it. The tarball's name carries the package list, so a changed list makes a new one.
debootstrap_tree() {
  local variant=$1 include=$2 dest=$3 key tarball tmp
  ensure_packages debootstrap:debootstrap
  key=$(echo "$DEBIAN_SUITE $variant $include" | sha256sum | cut -c1-12)
  tarball=$CACHE_DIR/debootstrap-$DEBIAN_SUITE-$variant-$key.tar
  mkdir -p "$CACHE_DIR/debs"
  if [ ! -s "$tarball" ]; then
    say "debootstrap $DEBIAN_SUITE ($variant + $include) from $DEBIAN_MIRROR; cached afterwards ..."
    tmp=$(mktemp -d "$OUT_DIR/.debootstrap.XXXXXX")
    # --cache-dir keeps the downloaded .debs between runs (also across package-list changes)
    if ! debootstrap --variant="$variant" --include="$include" --cache-dir="$CACHE_DIR/debs" \
        "$DEBIAN_SUITE" "$tmp/root" "$DEBIAN_MIRROR" > "$tmp.log" 2>&1; then
      tail -20 "$tmp.log" >&2; rm -rf "$tmp" "$tmp.log"; die "debootstrap failed (log above)"
    fi
    rm -f "$tmp.log"
    rm -rf "$tmp/root/var/cache/apt/archives/"*.deb "$tmp/root/var/lib/apt/lists/"*_Packages 2>/dev/null || true
    tar -C "$tmp/root" --numeric-owner -cf "$tarball.part" . && mv "$tarball.part" "$tarball"
    rm -rf "$tmp"
  fi
  mkdir -p "$dest"
  tar -C "$dest" --numeric-owner -xf "$tarball"
}

# Builds the .deb (build-deb) when it is missing or older than the jars or what goes into it.
ensure_deb() {
  local deb
  deb=$(deb_file 2>/dev/null || true)
  if [ -z "$deb" ] || ! jars_current || [ ! -s "$deb" ] \
     || [ -n "$(find "$APPLIANCE_DIR/build-deb" "$APPLIANCE_DIR/deb" "$APPLIANCE_DIR/lib" "$BRAID_ROOT/gateway/target/lib" \
          "$BRAID_ROOT/configs" -type f -newer "$deb" -print -quit)" ]; then
    "$APPLIANCE_DIR/build-deb"
  fi
}
