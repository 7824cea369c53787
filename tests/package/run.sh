#!/usr/bin/env bash
# The Debian package in a clean Debian 12 root (debootstrap minbase, cached in target/):
# install, files with their owners and modes, the installed `naparnik doctor` and `naparnik --demo`,
# an upgrade to a rebuilt package that keeps the configuration and the data, `remove` that keeps
# the data and `purge` that deletes it; `systemd-analyze verify` on the unit.
#
# Packs the binary `cargo test` already built (NAPARNIK_PACKAGE_PROFILE, default dev): what is
# tested here is the package, and a second optimised build would add ten minutes to CI.
# `installer/dev.sh package` builds the release package.
set -euo pipefail
cd "$(dirname "$0")/../.."

profile=${NAPARNIK_PACKAGE_PROFILE:-dev}
work=$PWD/target/package-test
cache=$PWD/target/package-root/bookworm-minbase.tar
root=$work/root
started=$SECONDS

fail() { echo "package test: $*" >&2; exit 1; }
in_root() { chroot "$root" "$@"; }
cleanup() {
    mountpoint -q "$root/proc" && umount "$root/proc"
    return 0
}
trap cleanup EXIT

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
rm -rf "$work" && mkdir -p "$work"
cargo deb -p naparnik_app --no-build --profile "$profile" --deb-version "$version" --strip --fast -o "$work/old.deb" >/dev/null
cargo deb -p naparnik_app --no-build --profile "$profile" --deb-version "$version+1" --strip --fast -o "$work/new.deb" >/dev/null
echo "package: built $(basename "$work/old.deb") and the same at $version+1"

if [ ! -f "$cache" ]; then
    mkdir -p "$(dirname "$cache")" "$work/bootstrap"
    debootstrap --variant=minbase bookworm "$work/bootstrap" "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" >"$work/debootstrap.log" 2>&1 \
        || { tail -20 "$work/debootstrap.log" >&2; fail "debootstrap failed"; }
    tar -C "$work/bootstrap" -cf "$cache.part" . && mv "$cache.part" "$cache"
    rm -rf "$work/bootstrap"
fi
mkdir -p "$root" && tar -C "$root" -xf "$cache"
mount -t proc proc "$root/proc"
cp "$work/old.deb" "$work/new.deb" "$root/tmp/"

# Install: dependencies come from the root itself (libc, passwd); nothing is forced.
in_root dpkg -i /tmp/old.deb >"$work/install.log" 2>&1 || { cat "$work/install.log" >&2; fail "dpkg -i failed"; }

check_file() { # path owner:group mode
    local stat
    stat=$(in_root stat -c '%U:%G %a' "$1" 2>/dev/null) || fail "$1 is not installed"
    [ "$stat" = "$2 $3" ] || fail "$1 is $stat, expected $2 $3"
}
check_file /usr/bin/naparnik root:root 755
check_file /lib/udev/rules.d/70-naparnik.rules root:root 644
check_file /etc/naparnik/config.toml root:naparnik 640
check_file /lib/systemd/system/naparnik.service root:root 644
check_file /etc/xdg/autostart/naparnik.desktop root:root 644
check_file /usr/share/applications/naparnik.desktop root:root 644
check_file /usr/share/naparnik/1c/retail/README.md root:root 644
check_file /usr/share/naparnik/1c/ut/README.md root:root 644
check_file /usr/share/naparnik/1c/bridge.json root:root 644
check_file /usr/share/doc/naparnik/README.md root:root 644
check_file /usr/share/doc/naparnik/INSTALL.md root:root 644
check_file /var/lib/naparnik naparnik:naparnik 750
in_root find /usr/share/naparnik/1c/retail/src -name '*.bsl' | grep -q . || fail "the Retail extension's modules are missing"
in_root dpkg-query -W -f='${Conffiles}\n' naparnik | grep -q /etc/naparnik/config.toml || fail "the config is not a conffile"
uid=$(in_root id -u naparnik) && [ "$uid" -lt 1000 ] || fail "naparnik is not a system user"
in_root getent group naparnik >/dev/null || fail "no naparnik group"
file "$root/usr/bin/naparnik" 2>/dev/null | grep -q "not stripped" && fail "the binary is not stripped"

as_service() { in_root runuser -u naparnik -- env HOME=/var/lib/naparnik naparnik --data-dir /var/lib/naparnik "$@"; }
as_service --help | grep -q "Cashier-side companion for 1C" || fail "--help does not say what Naparnik is"
as_service doctor >"$work/doctor.txt" || { cat "$work/doctor.txt" >&2; fail "the installed doctor found a problem"; }
grep -q "^ok      database integrity" "$work/doctor.txt" || fail "doctor did not check the database"
as_service --demo >"$work/demo.txt" || { cat "$work/demo.txt" >&2; fail "--demo failed"; }
grep -q "6 sellers and 3000 customers" "$work/demo.txt" || { cat "$work/demo.txt" >&2; fail "--demo did not load its samples"; }
check_file /var/lib/naparnik/demo-badges.png naparnik:naparnik 644
as_service doctor >"$work/doctor-demo.txt" || { cat "$work/doctor-demo.txt" >&2; fail "doctor found a problem with the demo loaded"; }
grep -q "^warning demo" "$work/doctor-demo.txt" || fail "doctor does not say that demo data is loaded"
# The window never opens as root (it would take the devices and the data directory from the cashier).
if in_root env DISPLAY=:0 naparnik --data-dir /tmp/as-root >"$work/root.txt" 2>&1; then fail "the window started as root"; fi
grep -q "must not run as root" "$work/root.txt" || { cat "$work/root.txt" >&2; fail "the window did not say why it refused root"; }
sellers_before=$(as_service sellers list --json)

# The administrator's edit of the configuration and the data survive an upgrade.
sed -i 's/^# store = "store-1"/store = "store-9"/' "$root/etc/naparnik/config.toml"
in_root dpkg -i /tmp/new.deb >"$work/upgrade.log" 2>&1 || { cat "$work/upgrade.log" >&2; fail "the upgrade failed"; }
[ "$(in_root dpkg-query -W -f='${Version}' naparnik)" = "$version+1" ] || fail "the upgrade did not install $version+1"
grep -q 'store = "store-9"' "$root/etc/naparnik/config.toml" || fail "the upgrade lost the configuration"
grep -q "schema" "$work/upgrade.log" || fail "the upgrade did not migrate the database"
[ "$(as_service sellers list --json)" = "$sellers_before" ] || fail "the upgrade lost data"
as_service doctor >/dev/null || fail "doctor after the upgrade"
as_service demo remove | grep -q "demo data removed: 6 sellers, 3000 customers" || fail "demo remove after the upgrade"
[ "$(as_service sellers list --json)" = "[]" ] || fail "demo remove left sellers"

# remove keeps data and configuration; purge deletes them.
in_root dpkg -r naparnik >"$work/remove.log" 2>&1 || { cat "$work/remove.log" >&2; fail "dpkg -r failed"; }
[ ! -e "$root/usr/bin/naparnik" ] || fail "remove left the binary"
[ -f "$root/var/lib/naparnik/naparnik.sqlite3" ] || fail "remove deleted the data"
[ -f "$root/etc/naparnik/config.toml" ] || fail "remove deleted the configuration"
in_root dpkg -P naparnik >"$work/purge.log" 2>&1 || { cat "$work/purge.log" >&2; fail "dpkg -P failed"; }
[ ! -e "$root/var/lib/naparnik" ] || fail "purge left the data"
[ ! -e "$root/etc/naparnik" ] || fail "purge left the configuration"

if command -v systemd-analyze >/dev/null; then
    # The packaged unit as is, but pointing at the unpacked binary: verify checks that ExecStart exists.
    unpacked=$work/unpacked && dpkg-deb -x "$work/new.deb" "$unpacked"
    sed "s|/usr/bin/naparnik|$unpacked/usr/bin/naparnik|" "$unpacked/lib/systemd/system/naparnik.service" >"$work/naparnik.service"
    SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no "$work/naparnik.service" >"$work/verify.log" 2>&1 || true
    [ ! -s "$work/verify.log" ] || { cat "$work/verify.log" >&2; fail "systemd-analyze verify complained about the unit"; }
fi
echo "package: install, files and modes, doctor, upgrade, remove and purge passed in $((SECONDS - started)) s"
