#!/usr/bin/env bash
# The whole test suite, as the README gives it and CI runs it: installs the moto emulator the
# end-to-end tests need, then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-moto.sh
# The report's browser tests render in Debian's Chromium. Without it they are skipped (with a
# message) on a developer's machine and fail in CI (CI or DRSCAN_REQUIRE_CHROMIUM set).
if ! command -v chromium >/dev/null 2>&1 && [ -z "${DRSCAN_CHROMIUM:-}" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -q && apt-get install -y -q chromium
  else
    echo "scripts/test.sh: no Chromium (apt-get install chromium, or set DRSCAN_CHROMIUM): the report's browser tests will be skipped" >&2
  fi
fi
export DRSCAN_MOTO_VENV="${DRSCAN_MOTO_VENV:-$PWD/.venv-moto}"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
cargo test --locked "$@" 2>&1 | tee "$log"
# One closing line over every test binary.
awk '/^test result:/ { passed += $4; failed += $6 } END { printf "%d passed, %d failed\n", passed, failed }' "$log"
