#!/usr/bin/env bash
# The whole test suite, as the README gives it and CI runs it: installs the moto emulator the
# end-to-end tests need, then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-moto.sh
export DRSCAN_MOTO_VENV="${DRSCAN_MOTO_VENV:-$PWD/.venv-moto}"
cargo test --locked "$@"
