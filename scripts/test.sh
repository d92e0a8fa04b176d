#!/usr/bin/env bash
# The README's test command. On a fresh machine it installs what is missing, then builds,
# type-checks, lints and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/toolchain.sh

require_node
ensure_pnpm
install_and_build
pnpm typecheck
pnpm lint
pnpm test
