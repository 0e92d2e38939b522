#!/usr/bin/env bash
# Creates .venv-moto with the AWS API emulator the end-to-end collector tests run against
# (moto's standalone server), plus boto3 and cbor2 for the CloudWatch CBOR front.
# Idempotent: does nothing when the venv already has the pinned versions.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${DRSCAN_MOTO_VENV:-$PWD/.venv-moto}"
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import moto, cbor2, boto3, sys; sys.exit(moto.__version__ != "5.2.5")' 2>/dev/null; then
  exit 0
fi
python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check 'moto[server]==5.2.5' boto3 cbor2
