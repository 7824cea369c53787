#!/usr/bin/env bash
# The README's two commands as a new user meets them: a fresh Debian 12 root (debootstrap minbase
# with ca-certificates, git, gcc, libc6-dev and python3) plus the Rust toolchain from rustup, a
# clone of this repository with ../shared beside it, then `installer/dev.sh run -- --demo` (no
# graphical session there: it loads the demo and says how to open the window) and
# `installer/dev.sh test`. Everything else those commands need, they must install themselves.
#
# Not part of `installer/dev.sh test`: a cold build of everything takes most of an hour on 2 cores.
# Run it as root before a release: tests/bare-root/run.sh [ROOT_DIR]   (default /var/tmp/naparnik-bare)
set -euo pipefail
repo=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
root=${1:-/var/tmp/naparnik-bare}
shared=$repo/../shared
started=$SECONDS
fail() { echo "bare root: FAILED: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || fail "run it as root (debootstrap and chroot)"
command -v debootstrap >/dev/null || fail "debootstrap is missing: apt-get install debootstrap"

mounted=()
cleanup() {
    for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[$i]}" 2>/dev/null || true; done
}
trap cleanup EXIT
bind() { mkdir -p "$2" && mount --bind "$1" "$2" && mounted+=("$2"); }

if [ ! -x "$root/usr/bin/git" ]; then
    rm -rf "$root"
    debootstrap --variant=minbase --include=ca-certificates,git,gcc,libc6-dev,python3 \
        bookworm "$root" http://deb.debian.org/debian >"$root.debootstrap.log" 2>&1 \
        || { tail -20 "$root.debootstrap.log" >&2; fail "debootstrap"; }
    # Debian's own default sources for a new install: the release, its updates and security.
    cat >"$root/etc/apt/sources.list" <<'EOF'
deb http://deb.debian.org/debian bookworm main
deb http://deb.debian.org/debian bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
EOF
fi
cp /etc/resolv.conf "$root/etc/resolv.conf"
# This network's own certificate authorities (an HTTPS proxy's, say), as IT installs them on every machine.
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
    chroot "$root" update-ca-certificates >/dev/null
fi
mount -t proc proc "$root/proc" && mounted+=("$root/proc")
bind /sys "$root/sys"
bind /dev "$root/dev"
bind /dev/pts "$root/dev/pts"

# The Rust toolchain, as rustup.rs installs it (rustup-init fetched here: the root has no curl).
if ! chroot "$root" /root/.cargo/bin/cargo --version >/dev/null 2>&1; then
    curl -fsSL -o "$root/tmp/rustup-init" https://static.rust-lang.org/rustup/dist/x86_64-unknown-linux-gnu/rustup-init \
        || fail "cannot download rustup-init"
    chmod +x "$root/tmp/rustup-init"
    chroot "$root" /tmp/rustup-init -y --profile minimal --component rustfmt,clippy >/dev/null \
        || fail "rustup-init"
fi

# A clone of the committed tree (what a new user gets), with the customer's shared folder beside it.
rm -rf "$root/home/dev"
mkdir -p "$root/home/dev"
git clone -q "$repo" "$root/home/dev/main"
cp -a "$shared" "$root/home/dev/shared"

in_root() { chroot "$root" /usr/bin/env -i HOME=/root PATH=/root/.cargo/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8 TERM=dumb bash -c "cd /home/dev/main && $*"; }
echo "== bare root: installer/dev.sh run -- --demo (at $((SECONDS - started)) s)"
in_root "installer/dev.sh run -- --demo" || fail "installer/dev.sh run -- --demo"
echo "== bare root: installer/dev.sh test (at $((SECONDS - started)) s)"
in_root "installer/dev.sh test" || fail "installer/dev.sh test"
echo "bare root: both README commands passed in $((SECONDS - started)) s"
