#!/usr/bin/env bash
# Installs the Debian packages a command of the Makefile needs and a fresh machine lacks, or names them.
#   run   — WeasyPrint (Pango), fast font subsetting (libharfbuzz-subset0: the attestation takes ~35 ms, 265 ms
#           without it) and the fonts of the PDFs;
#   test  — the same, plus Debian's Chromium for the browser tests (Playwright never downloads a browser) and
#           nginx, whose shipped configuration (deploy/nginx.conf) the slow-clients test runs;
#   bench — the same as test.
# As root it installs with apt-get; otherwise it fails with the list to install.
set -euo pipefail
target=${1:-test}

packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-liberation2)
case "$target" in
  run) ;;
  test | bench) packages+=(chromium nginx) ;;
  *) echo "usage: $0 run|test|bench" >&2; exit 2 ;;
esac

need=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || need+=("$package")
done
[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ERROR: missing system packages for 'make $target': ${need[*]}" >&2
  echo "       install them (Debian/Ubuntu: sudo apt-get install ${need[*]}) and run the command again." >&2
  exit 1
fi
echo "Installing the system packages that 'make $target' needs: ${need[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
