# Shared by the prerequisite scripts (sourced, not run: build.sh runs only build/prereqs/*.sh). Each script defines
# log() before sourcing this file.

# Runs a command as root: directly when we are root, through sudo otherwise.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
    log "need root to run: $*" >&2; exit 1; fi
}

# apt_install_missing PURPOSE PACKAGE...: installs the Debian packages that are not installed yet (none: nothing).
# Waits for the dpkg lock when another apt runs (shared build machines), and retries once after
# `dpkg --configure -a`: seen here when a concurrent job removed apt's archive folder under /tmp mid-install
# ("dpkg returned an error code (1)"); the second pass completed the install.
apt_install_missing() {
  local purpose=$1 pkg
  shift
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  if [ "$(uname -s)" != Linux ] || ! command -v apt-get >/dev/null 2>&1; then
    log "install ${missing[*]} (Debian/Ubuntu packages) for $purpose" >&2; exit 1
  fi
  log "installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 update -qq
  if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
    as_root env DEBIAN_FRONTEND=noninteractive dpkg --configure -a
    as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}
