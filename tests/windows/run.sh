#!/usr/bin/env bash
# The Windows tier of `installer/dev.sh test`: Naparnik cross-built for x86_64-pc-windows-gnu and
# run under Wine on this Linux machine.
#   1. the Rust standard library for Windows (rustup; a failed download fails the tier, loudly);
#   2. a Wine prefix under the target directory, with the ProcessPrng shim Wine 8 lacks;
#   3. every test of the workspace as Windows .exe files under Wine (inside xvfb-run for the window tests);
#   4. the release .exe and the MSI (installer/windows/naparnik.wxs, built with wixl);
#   5. install the MSI under Wine, run the installed `naparnik.exe doctor` and window, upgrade to a newer
#      build (the configuration is kept), uninstall (the data is kept), the optional service, REMOVEDATA=1.
# Needs: wine, gcc-mingw-w64-x86-64, wixl, msitools, xvfb, xauth, procps (pgrep), curl (installer/dev.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/../.."
TARGET=x86_64-pc-windows-gnu
TARGET_DIR=$(realpath -m "${CARGO_TARGET_DIR:-target}")
TIER=$TARGET_DIR/windows-tier
export WINEPREFIX=$TIER/prefix WINEARCH=win64 WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
mkdir -p "$TIER"
# Wine's server and services outlive the programs they ran, holding whatever files this script had
# open (a build lock, say): end them with the tier, whatever happens.
trap 'wineserver -k 2>/dev/null || true' EXIT
started=$SECONDS
step() { echo "== windows tier: $* (at $((SECONDS - started)) s)"; }
fail() { echo "windows tier: FAILED: $*" >&2; exit 1; }

step "Rust standard library for $TARGET"
if ! rustup target list --installed | grep -qx "$TARGET"; then
    rustup target add "$TARGET" || fail "could not download the Rust standard library for $TARGET \
(rustup target add, from the Rust project's server static.rust-lang.org). The Windows build cannot be \
tested without it: check the network or proxy to static.rust-lang.org, then run installer/dev.sh test again."
fi

step "Wine prefix $WINEPREFIX"
if [ ! -f "$WINEPREFIX/system.reg" ]; then
    wineboot -i >/dev/null 2>&1 || fail "wineboot could not create the prefix $WINEPREFIX"
    wineserver -w
fi
# Programs a previous, interrupted run left in this prefix (only this prefix's wineserver is asked).
wineserver -k 2>/dev/null || true
# Rust >= 1.78 imports ProcessPrng from bcryptprimitives.dll, which Windows 10/11 have and Wine 8 lacks.
shim=$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll
if [ ! -f "$shim" ] || [ installer/windows/bcryptprimitives-shim.c -nt "$shim" ]; then
    printf 'LIBRARY bcryptprimitives\nEXPORTS\n    ProcessPrng\n' > "$TIER/bcryptprimitives.def"
    x86_64-w64-mingw32-gcc -shared -O2 -o "$shim" installer/windows/bcryptprimitives-shim.c \
        "$TIER/bcryptprimitives.def" -ladvapi32
fi

step "cargo test under Wine"
# Wine cannot start the host's xmllint for the schema checks (Linux runs them on the same writer); HID POS cannot be opened
# under Wine 8 (hidapi fails to initialise: cfgmgr32 gaps), which `naparnik devices` reports and
# the HID decoder tests do not need.
# Wine starts its desktop process (explorer.exe /desktop) for the first program of a session that
# needs one, and ends it about a second after the last other program using the desktop is gone.
# Between two tests that can happen; when a test's `naparnik.exe` child then started the desktop
# anew, the child's output pipe stayed open inside the Wine server and the test waited for it
# forever. So the tests are built first; then one Wine session is kept for all of them, with a
# program that holds the desktop from start to end (Notepad, its output going nowhere) and so is
# the one that starts it; only then do the tests run. One at a time: that was tried first against
# this hang and did not cure it, but it is how the tier has passed since; running the tests in
# parallel under Wine again is untried with the desktop held.
cargo test --workspace --locked --target "$TARGET" --no-run
runtime_dir=$(mktemp -d)
export XMLLINT=skip XDG_RUNTIME_DIR=$runtime_dir CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER=wine TARGET
xvfb-run -a -s "-screen 0 1280x1024x24" bash -c '
    set -euo pipefail
    desktop() { pgrep -f "^C:.windows.system32.explorer.exe /desktop" || true; }
    wineserver -p                                  # the session outlives each test binary
    wine notepad.exe </dev/null >/dev/null 2>&1 &  # holds the desktop until the session ends
    for _ in $(seq 1 60); do [ -z "$(desktop)" ] || break; sleep 0.5; done
    first=$(desktop)
    [ -n "$first" ] || { echo "windows tier: FAILED: Wine'"'"'s desktop process did not start" >&2; exit 1; }
    # A hang must fail the tier, not the whole CI run at its time limit.
    timeout --kill-after=30 45m cargo test --workspace --locked --target "$TARGET" -- --test-threads=1 \
        || { status=$?; [ $status -ne 124 ] || echo "windows tier: FAILED: the tests under Wine ran over 45 minutes (a hang)" >&2; exit $status; }
    [ "$(desktop)" = "$first" ] \
        || { echo "windows tier: FAILED: Wine'"'"'s desktop process ended during the tests (a child could have restarted it holding its pipes)" >&2; exit 1; }
'
rm -rf "$runtime_dir"
wineserver -k 2>/dev/null || true   # a test that failed may have left a child behind
echo "windows tier: not run under Wine: HID POS device access (hidapi cannot initialise under Wine 8,"
echo "  cfgmgr32 gaps; \`devices\` reports it, the HID report decoder tests ran); serial pty and SIGTERM"
echo "  tests (Unix only, compiled out for Windows); the token ACL's protected flag (Wine shows mode bits);"
echo "  xmllint schema checks of the CRM files (Wine cannot start the host's xmllint; Linux runs them)."

step "release build for $TARGET"
cargo build --release --locked --target "$TARGET" -p naparnik_app --bin naparnik
exe=$TARGET_DIR/$TARGET/release/naparnik.exe
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)

build_msi() { # version, output
    installer/windows/build-msi.sh "$1" "$exe" "$2" 2>&1 | grep -v -e '^$' -e 'GLib-GObject-WARNING' >&2
}
msi=$TIER/naparnik-$version-x64.msi
step "MSI $msi"
build_msi "$version" "$msi"

installed='C:\Program Files\Naparnik\naparnik.exe'
data=$WINEPREFIX/drive_c/ProgramData/Naparnik
msiexec_run() { # what, msiexec arguments…
    local what=$1; shift
    wine msiexec "$@" /qn /l*v "$(winepath -w "$TIER/$what.log")" \
        || { tr -d '\000' <"$TIER/$what.log" | tail -40 >&2 || true; fail "msiexec $what (log: $TIER/$what.log)"; }
}
# A clean slate: whatever Naparnik a previous (perhaps interrupted) run left installed, whichever
# build it came from (each build has its own product code), and its data.
installed_products() {
    wineserver -w 2>/dev/null || true   # the registry file is written when the Wine session ends
    python3 - "$WINEPREFIX/system.reg" <<'PY'
import re, sys
key = None
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    if line.startswith("["):
        m = re.match(r"\[Software\\\\Microsoft\\\\Windows\\\\CurrentVersion\\\\Uninstall\\\\(\{[0-9A-Fa-f-]+\})\]", line)
        key = m.group(1) if m else None
    elif key and line.strip() == '"DisplayName"="Naparnik"':
        print(key)
PY
}
for product in $(installed_products); do
    echo "removing the Naparnik $product a previous run left installed"
    wine msiexec /x "$product" /qn >/dev/null 2>&1 || true
done
[ -z "$(installed_products)" ] || fail "a Naparnik a previous run installed could not be removed from the prefix"
rm -rf "$data"

step "install under Wine"
msiexec_run install /i "$(winepath -w "$msi")"
[ -f "$WINEPREFIX/drive_c/Program Files/Naparnik/naparnik.exe" ] || fail "naparnik.exe is not in C:\\Program Files\\Naparnik"
[ -f "$data/config.toml" ] || fail "the configuration is not in C:\\ProgramData\\Naparnik"
wine reg query 'HKLM\Software\Microsoft\Windows\CurrentVersion\Run' /v Naparnik | grep -q 'naparnik.exe' \
    || fail "the window is not started at logon (HKLM Run key)"
# Wine puts the per-machine Start menu entry in the user's Start menu.
find "$WINEPREFIX/drive_c" -path '*Start Menu/Programs/Naparnik.lnk' | grep -q . || fail "no Start menu entry"

step "installed naparnik.exe doctor"
doctor=$(wine "$installed" doctor 2>&1) || { echo "$doctor"; fail "the installed naparnik.exe doctor"; }
echo "$doctor"
grep -q 'configuration: C:\\ProgramData\\Naparnik\\config.toml' <<<"$doctor" || fail "doctor did not read C:\\ProgramData\\Naparnik\\config.toml"
grep -q 'database: C:\\ProgramData\\Naparnik\\naparnik.sqlite3' <<<"$doctor" || fail "doctor did not use C:\\ProgramData\\Naparnik"

# msiexec ran without a display and left Wine's desktop process without one: a window opened in
# that session fails (Windows error 14007). A new session takes the display xvfb-run gives.
wineserver -k 2>/dev/null || true
open_window() { # what, WGPU_BACKEND, the renderer expected to draw
    rm -f "$data"/logs/naparnik.*.log
    WGPU_BACKEND=$2 xvfb-run -a -s "-screen 0 1280x1024x24" timeout 20 wine "$installed" >"$TIER/window-$1.out" 2>&1 || true
    wineserver -k 2>/dev/null || true
    local log
    log=$(cat "$data"/logs/naparnik.*.log 2>/dev/null || true)
    grep -q "the window is drawn with $3" <<<"$log" && grep -q 'first frame drawn' <<<"$log" \
        || { cat "$TIER/window-$1.out" >&2; fail "the installed window ($1) drew no frame with $3 under Wine"; }
    echo "window ($1): $(grep -o 'first frame drawn.*' <<<"$log") with $3; renderers refused first: $(grep -c 'cannot draw the window with' <<<"$log" || true)"
}
# Wine's Direct3D 12 (vkd3d) lacks the shader compiler wgpu needs (FXC), so under Wine wgpu is
# pointed at Vulkan (winevulkan, Mesa's llvmpipe here); real Windows takes D3D12 or WARP.
step "the installed window draws under Wine with wgpu"
open_window wgpu vulkan wgpu
# No wgpu backend at all (Metal is macOS only): the fallback to OpenGL draws the window.
step "the installed window falls back to OpenGL when wgpu cannot draw"
open_window fallback metal glow

step "upgrade keeps the configuration and the data"
echo '# edited by IT' >> "$data/config.toml"
newer=$TIER/naparnik-upgrade-x64.msi
build_msi "${version%.*}.$(( ${version##*.} + 1 ))" "$newer"
msiexec_run upgrade /i "$(winepath -w "$newer")"
grep -q '# edited by IT' "$data/config.toml" || fail "the upgrade replaced the edited configuration"
[ -f "$data/naparnik.sqlite3" ] || fail "the upgrade removed the database"
wine "$installed" doctor >/dev/null 2>&1 || fail "doctor after the upgrade"

step "uninstall keeps the data"
msiexec_run uninstall /x "$(winepath -w "$newer")"
[ ! -f "$WINEPREFIX/drive_c/Program Files/Naparnik/naparnik.exe" ] || fail "uninstall left naparnik.exe"
[ -f "$data/naparnik.sqlite3" ] && [ -f "$data/config.toml" ] || fail "uninstall removed the data or the configuration"

step "the optional service: installed with ADDLOCAL=ALL, it answers on 127.0.0.1:47815"
msiexec_run service /i "$(winepath -w "$msi")" ADDLOCAL=ALL
for _ in $(seq 1 60); do
    curl -fsS -o /dev/null http://127.0.0.1:47815/health && break
    sleep 1
done
curl -fsS http://127.0.0.1:47815/health || fail "the Naparnik service did not answer on 127.0.0.1:47815"
echo

step "uninstall with REMOVEDATA=1 stops the service and removes the data"
msiexec_run uninstall-data /x "$(winepath -w "$msi")" REMOVEDATA=1
[ ! -e "$data" ] || fail "REMOVEDATA=1 left C:\ProgramData\Naparnik"
if curl -fsS -o /dev/null http://127.0.0.1:47815/health 2>/dev/null; then
    fail "the service still answers after the uninstall"
fi

step "done"
