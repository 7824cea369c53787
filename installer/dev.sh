#!/usr/bin/env bash
# Developer entry point on a Debian machine with the Rust toolchain.
#   installer/dev.sh run    build and open Naparnik on its embedded defaults (local SQLite, no upstream)
#   installer/dev.sh run doctor, installer/dev.sh run -- --version   any other command or flag
#   installer/dev.sh test   install what the tests need, then run the whole test suite (Linux and Windows)
#   installer/dev.sh test-windows   the Windows tier alone: cross-built, tested under Wine, the MSI installed
#   installer/dev.sh package   build target/debian/naparnik_<version>_amd64.deb (release, stripped)
# Debian packages are installed only when missing (as root, or through sudo).
set -euo pipefail
cd "$(dirname "$0")/.."

# Libraries the window loads at run time (X11/GL through dlopen); nothing is needed to build.
RUN_PACKAGES=(libgl1 libegl1 libgl1-mesa-dri libxkbcommon-x11-0 libx11-6 libx11-xcb1 libxcursor1 libxrandr2 libxi6 libfontconfig1)
TEST_PACKAGES=(python3 python3-venv curl libxml2-utils cpio gzip libc6-dev mesa-vulkan-drivers libvulkan1
    debootstrap systemd file zbar-tools)
# The Windows tier (tests/windows/run.sh): cross-linker, Wine, the MSI tools, a headless X server, pgrep.
WINDOWS_TEST_PACKAGES=(gcc-mingw-w64-x86-64 wine wine64 wixl msitools xvfb xauth procps)

install_packages() {
    local missing=()
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "installing Debian packages: ${missing[*]}" >&2
    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# cargo-deb builds the Debian package from the metadata in crates/naparnik_app/Cargo.toml.
ensure_cargo_deb() {
    command -v cargo-deb >/dev/null 2>&1 || cargo install cargo-deb --locked
}

case "${1:-}" in
    run)
        shift
        # `run -- --version` and `run doctor` both reach naparnik as `--version` / `doctor`:
        # cargo gets its own `--` below, so one given here is dropped, not passed on.
        if [ "${1:-}" = "--" ]; then shift; fi
        install_packages "${RUN_PACKAGES[@]}"
        exec cargo run --release --locked -p naparnik_app --bin naparnik -- "$@"
        ;;
    test)
        install_packages "${TEST_PACKAGES[@]}" "${WINDOWS_TEST_PACKAGES[@]}"
        cargo test --workspace --locked
        tests/bridge-fuzz.sh
        # 1C extension trees: the checker's self-test, then the real trees (tests/onec/README.md)
        tests/onec/test_check.py
        tests/onec/check.py assets/1c/retail/src assets/1c/ut/src
        assets/1c/tools/retail_tree.py --check assets/1c/retail/src
        tests/kernel/run.py
        ensure_cargo_deb
        tests/package/run.sh
        # Windows: cross-built, every test under Wine, the MSI installed, its doctor, window, upgrade,
        # service, uninstall (see README "Windows tills").
        tests/windows/run.sh
        ;;
    test-windows)
        install_packages "${TEST_PACKAGES[@]}" "${WINDOWS_TEST_PACKAGES[@]}"
        tests/windows/run.sh
        ;;
    package)
        ensure_cargo_deb
        cargo deb -p naparnik_app --locked --strip
        ;;
    *)
        echo "usage: installer/dev.sh run [[--] NAPARNIK ARGS…] | installer/dev.sh test | installer/dev.sh test-windows | installer/dev.sh package" >&2
        exit 2
        ;;
esac
