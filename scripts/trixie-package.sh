#!/usr/bin/env bash
# Usage: bash scripts/trixie-package.sh [--root DIR] <package>...
#
# Fetches .debs from Debian trixie and unpacks them (dpkg -x) into / (or into DIR with --root), for tools bookworm
# lacks or ships too old (docker-buildx, gitleaks), or a second, newer Docker engine kept apart from the system's in
# a private prefix (docker.io and containerd under --root /opt/ohe-docker26: see e2e-stack.sh). The system's apt sources, lists and dpkg database stay untouched: apt runs with a
# private sources dir, lists dir and cache under $TRIXIE_PKG_STATE. dpkg -x does not register the package and
# pulls no dependencies, so this is only for self-contained binaries (Go tools).
# Idempotent: a package is skipped when it is already usable (see installed()).
set -euo pipefail

STATE=${TRIXIE_PKG_STATE:-/var/cache/trixie-package}
SYSTEM_SOURCES=/etc/apt/sources.list.d/debian.sources

log() { printf 'trixie-package: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

ROOT=/
if [ "${1:-}" = --root ]; then
  [ -n "${2:-}" ] || die "--root needs a directory, e.g. --root /opt/ohe-docker26"
  case "$2" in /*) ROOT=$2 ;; *) die "--root '$2' is not an absolute path (expected e.g. /opt/ohe-docker26)" ;; esac
  shift 2
fi
[ "$#" -gt 0 ] || die "usage: $0 [--root DIR] <package>..."
[ "$(id -u)" -eq 0 ] || die "must run as root (it unpacks into $ROOT)"
# The stamps of a prefix install sit apart from those of / (same package, other files).
STAMPS="$STATE/installed"
[ "$ROOT" = / ] || STAMPS="$STATE/installed/root$(printf '%s' "$ROOT" | tr / _)"

# Already usable? Known tools are probed directly (covers installs from elsewhere); any other package counts as
# installed when every regular file recorded at its last extraction still exists.
installed() {
  local pkg=$1 stamp="$STAMPS/$1.files" f
  [ "$ROOT" = / ] && case "$pkg" in
    docker-buildx) [ -x /usr/libexec/docker/cli-plugins/docker-buildx ] && return 0 ;;
    gitleaks) command -v gitleaks >/dev/null 2>&1 && gitleaks version >/dev/null 2>&1 && return 0 ;;
    cosign) command -v cosign >/dev/null 2>&1 && cosign version >/dev/null 2>&1 && return 0 ;;
  esac
  [ -s "$stamp" ] || return 1
  # -L: a relative symlink unpacked into a prefix may point outside it (docker-init -> tini-static) and dangle.
  while IFS= read -r f; do [ -e "$f" ] || [ -L "$f" ] || return 1; done <"$stamp"
  return 0
}

wanted=()
for pkg in "$@"; do
  if installed "$pkg"; then log "$pkg: already installed"; else wanted+=("$pkg"); fi
done
[ "${#wanted[@]}" -gt 0 ] || exit 0

# The trixie sources reuse the system's mirror URIs (and keyring), so a mirror or proxy set up for bookworm
# serves trixie too. A stanza is a block of deb822 fields; the main archive stanza lists the bare codename.
[ -r "$SYSTEM_SOURCES" ] || die "$SYSTEM_SOURCES not found"
# shellcheck disable=SC1091 # os-release is a system file
codename=$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-bookworm}")
stanza_field() { # <suite> <field>: value of <field> in the first stanza whose Suites contain <suite>
  awk -v suite="$1" -v field="$2" '
    BEGIN { RS = ""; FS = "\n" }
    {
      val = ""; hit = 0
      for (i = 1; i <= NF; i++) {
        if ($i ~ /^#/) continue
        n = index($i, ":"); if (n == 0) continue
        k = substr($i, 1, n - 1); v = substr($i, n + 1); gsub(/^[ \t]+|[ \t]+$/, "", v)
        if (k == "Suites") { m = split(v, s, /[ \t]+/); for (j = 1; j <= m; j++) if (s[j] == suite) hit = 1 }
        if (k == field) val = v
      }
      if (hit) { print val; exit }
    }' "$SYSTEM_SOURCES"
}
uris=$(stanza_field "$codename" URIs)
keyring=$(stanza_field "$codename" Signed-By)
[ -n "$uris" ] || die "no stanza for suite $codename in $SYSTEM_SOURCES"
keyring=${keyring:-/usr/share/keyrings/debian-archive-keyring.gpg}
security_uris=$(stanza_field "$codename-security" URIs)

mkdir -p "$STATE/sources.list.d" "$STATE/lists/partial" "$STATE/cache/archives/partial" "$STAMPS" "$ROOT"
{
  printf 'Types: deb\nURIs: %s\nSuites: trixie trixie-updates\nComponents: main\nSigned-By: %s\n' "$uris" "$keyring"
  if [ -n "$security_uris" ]; then
    printf '\nTypes: deb\nURIs: %s\nSuites: trixie-security\nComponents: main\nSigned-By: %s\n' \
      "$security_uris" "$keyring"
  fi
} >"$STATE/sources.list.d/trixie.sources"

apt_private=(
  -o Dir::Etc::SourceList=/dev/null
  -o Dir::Etc::SourceParts="$STATE/sources.list.d"
  -o Dir::State::Lists="$STATE/lists"
  -o Dir::Cache="$STATE/cache"
  -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=
  # Only the Packages indexes are needed: no translations, no AppStream metadata.
  -o Acquire::Languages=none
  -o Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false
  # The files land in private root-owned dirs; the _apt sandbox user could not write there.
  -o APT::Sandbox::User=root
)

log "updating the trixie package lists (private, under $STATE)"
apt-get "${apt_private[@]}" -qq update >/dev/null || die "apt-get update for trixie failed"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log "downloading: ${wanted[*]}"
(cd "$work" && apt-get "${apt_private[@]}" -qq download "${wanted[@]}" >/dev/null) || die "apt-get download failed"

for pkg in "${wanted[@]}"; do
  deb=$(find "$work" -maxdepth 1 -name "${pkg}_*.deb" -print -quit)
  [ -n "$deb" ] || die "$pkg: no .deb downloaded"
  log "$pkg: unpacking $(basename "$deb") into $ROOT"
  dpkg -x "$deb" "$ROOT"
  # Record the regular files (./usr/bin/x -> $ROOT/usr/bin/x) so the next run can tell it is installed.
  dpkg-deb --fsys-tarfile "$deb" | tar -t | sed -n "s|^\./|${ROOT%/}/|p" | grep -v '/$' >"$STAMPS/$pkg.files" || true
done
