#!/usr/bin/env bash
# Schema-driven fuzzing of the running bridge with schemathesis and all its checks: every
# response must be documented and match the document, none may be a 5xx, schema-invalid
# requests must be refused, and schema-valid ones accepted, except for the rules no schema can
# state (bridge-fuzz-hooks.py lists them and checks the code of each such refusal).
set -euo pipefail
cd "$(dirname "$0")/.."

binary=${NAPARNIK_BIN:-target/debug/naparnik}
venv="$PWD/target/schemathesis-venv"
if [ ! -x "$venv/bin/schemathesis" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==4.32.5"
fi

data=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
token=fuzz-$RANDOM$RANDOM
cleanup() {
    [ -n "${server:-}" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
    rm -rf "$data"
}
trap cleanup EXIT

printf 'code,name,badge\nEMP0001,Иванова Анна,2000000000015\nEMP0007,Петров Олег,EMP-0007\n' > "$data/sellers.csv"
"$binary" --data-dir "$data" sellers import "$data/sellers.csv" > /dev/null
NAPARNIK_BRIDGE_TOKEN=$token "$binary" --data-dir "$data" serve --bridge-addr "127.0.0.1:$port" > "$data/serve.log" 2>&1 &
server=$!
for _ in $(seq 50); do
    curl -fsS "http://127.0.0.1:$port/health" > /dev/null 2>&1 && break
    sleep 0.1
done

# Run from the temporary directory: schemathesis keeps a cache in its working directory.
hooks="$PWD/tests/bridge-fuzz-hooks.py"
settings="$PWD/tests/bridge-fuzz.toml"
(cd "$data" && SCHEMATHESIS_HOOKS="$hooks" "$venv/bin/schemathesis" --config-file "$settings" \
    run "http://127.0.0.1:$port/openapi.json" \
    --header "Authorization: Bearer $token" \
    --checks all \
    --max-examples 100 --seed 20261122 --no-color) | tee "$data/fuzz.log"
if ! kill -0 "$server" 2>/dev/null; then
    echo "the bridge died during fuzzing:" >&2
    cat "$data/serve.log" >&2
    exit 1
fi
cases=$(grep -oE "[0-9]+ generated" "$data/fuzz.log" | tail -n 1 | cut -d" " -f1)
echo "bridge fuzz: ${cases:-0} cases, all checks passed"
