#!/usr/bin/env bash
# Runs the real platform clients, unmodified, against the simulators.
#
# Creates a virtualenv under target/conformance-venv, installs requirements.txt, builds and
# starts `roster-sim` in the background, writes its JSON (URLs and credentials) to a file
# named by ROSTER_SIM_INFO, runs every tests/conformance/test_*.py with the venv's python,
# stops the simulator, and fails if any script failed. The last line reads
# "N passed, M failed", counting scripts.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$root/tests/conformance"
venv="$root/target/conformance-venv"
work="$(mktemp -d)"
sim_pid=""

cleanup() {
    if [[ -n "$sim_pid" ]]; then
        kill "$sim_pid" 2>/dev/null || true
        wait "$sim_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

if [[ ! -x "$venv/bin/python" ]]; then
    python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"

cargo build --quiet --manifest-path "$root/Cargo.toml" -p roster-sim --bin roster-sim
target_dir="$(cargo metadata --format-version 1 --no-deps --manifest-path "$root/Cargo.toml" \
    | "$venv/bin/python" -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"

info="$work/roster-sim.json"
"$target_dir/debug/roster-sim" >"$info" 2>"$work/roster-sim.log" &
sim_pid=$!

# The simulator prints one JSON line once every server listens.
for _ in $(seq 1 300); do
    if [[ -s "$info" ]] && "$venv/bin/python" -c 'import json,sys; json.load(open(sys.argv[1]))' "$info" 2>/dev/null; then
        break
    fi
    if ! kill -0 "$sim_pid" 2>/dev/null; then
        echo "roster-sim exited early:" >&2
        cat "$work/roster-sim.log" >&2
        exit 1
    fi
    sleep 0.1
done
if [[ ! -s "$info" ]]; then
    echo "roster-sim printed nothing within 30 s" >&2
    exit 1
fi
export ROSTER_SIM_INFO="$info"

passed=0
failed=0
for script in "$here"/test_*.py; do
    name="$(basename "$script")"
    echo "== $name"
    if "$venv/bin/python" "$script"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAILED: $name"
    fi
done

echo "$passed passed, $failed failed"
[[ "$failed" -eq 0 ]]
