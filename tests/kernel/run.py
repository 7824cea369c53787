#!/usr/bin/env python3
"""Real-kernel tier of the input tests.

Boots a Debian kernel (linux-image, unpacked, not installed) under qemu-system-x86_64 (TCG) with a
busybox initramfs and the static `kernel_guest` program, and checks the input readers against real
kernel devices: a QEMU usb-kbd as a keyboard-wedge scanner typed from here through QMP (grab, and
pass-through to a second reader through the guest's uinput), hotplug by removing and adding the USB
device, and a HID POS scanner created through /dev/uhid and read with hidapi.

Packages come from the configured apt sources with `apt-get download` into target/kernel-tier (cached),
so nothing on the machine is installed or replaced: the kernel the `linux-image-amd64` metapackage
points at today, busybox-static, QEMU and whichever of QEMU's libraries this machine lacks. The cache
is keyed on the resolved package names and versions, so a new kernel or QEMU in the archive is picked
up by the next run. Timeouts in guest and host make a hang fail fast.
"""

import hashlib
import json
import os
import pathlib
import queue
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
CACHE = ROOT / "target" / "kernel-tier"
KERNEL_METAPACKAGE = "linux-image-amd64"
# Unpacked whatever the host has: the tier runs these files, never the host's.
CORE_PACKAGES = ["busybox-static", "qemu-system-x86", "qemu-system-common", "qemu-system-data", "seabios", "ipxe-qemu"]
QEMU = "usr/bin/qemu-system-x86_64"
MODULES = [
    "drivers/usb/common/usb-common", "drivers/usb/core/usbcore", "drivers/usb/host/xhci-hcd",
    "drivers/usb/host/xhci-pci", "drivers/hid/hid", "drivers/hid/hid-generic", "drivers/hid/usbhid/usbhid",
    "drivers/input/evdev", "drivers/input/misc/uinput", "drivers/hid/uhid",
]
BOOT_TIMEOUT = 120
STEP_TIMEOUT = 60


def apt(*arguments):
    """Runs an apt query; its stdout, or None when it fails."""
    done = subprocess.run(list(arguments), capture_output=True, text=True)
    return done.stdout if done.returncode == 0 else None


def candidate(package):
    """The version apt would install from the configured sources, or None."""
    policy = apt("apt-cache", "policy", package) or ""
    for line in policy.splitlines():
        if line.strip().startswith("Candidate:"):
            version = line.split(":", 1)[1].strip()
            return None if version == "(none)" else version
    return None


def resolve():
    """The packages to unpack as {name: version}, or None when the apt lists do not have them."""
    depends = apt("apt-cache", "depends", "--important", KERNEL_METAPACKAGE) or ""
    kernels = [line.split(":", 1)[1].strip() for line in depends.splitlines()
               if line.strip().startswith("Depends:") and line.split(":", 1)[1].strip().startswith("linux-image-")]
    if not kernels:
        return None
    packages = {}
    for name in [kernels[0], *CORE_PACKAGES]:
        version = candidate(name)
        if version is None:
            return None
        packages[name] = version
    # QEMU's libraries that this machine lacks: what installing QEMU here would add.
    simulated = apt("apt-get", "-s", "-qq", "install", "--no-install-recommends", "qemu-system-x86") or ""
    for line in simulated.splitlines():
        match = re.match(r"Inst (\S+) (?:\[[^]]*\] )?\((\S+) ", line)
        if match:
            packages.setdefault(match.group(1), match.group(2))
    return packages


def fetch_packages(lists_updated=False):
    """Resolves, downloads and unpacks the packages; returns the unpacked root and the kernel release."""
    packages = resolve()
    if packages is None and not lists_updated:
        update_apt_lists()
        return fetch_packages(lists_updated=True)
    if packages is None:
        sys.exit(f"kernel tier: the apt sources offer no {KERNEL_METAPACKAGE} (or no QEMU); "
                 "add Debian bookworm and bookworm-security (main) to the apt sources and run the tier again")
    kernel = next(name for name in packages if name.startswith("linux-image-")).removeprefix("linux-image-")
    listing = "".join(f"{name}={version}\n" for name, version in sorted(packages.items()))
    key = hashlib.sha256(listing.encode()).hexdigest()[:16]
    here = CACHE / key
    unpacked = here / "root"
    if (here / "complete").exists():
        return unpacked, kernel
    print(f"kernel tier: downloading {len(packages)} packages for kernel {kernel} into {here}", flush=True)
    if CACHE.exists():
        shutil.rmtree(CACHE)  # packages of an earlier set, or a download cut short
    debs = here / "debs"
    debs.mkdir(parents=True)
    download = ["apt-get", "download", *(f"{name}={version}" for name, version in sorted(packages.items()))]
    if subprocess.run(download, cwd=debs).returncode != 0:
        if not lists_updated:  # the lists name versions the archive no longer has
            update_apt_lists()
            return fetch_packages(lists_updated=True)
        sys.exit("kernel tier: apt-get download failed (see above); check that the apt sources include "
                 "Debian bookworm and bookworm-security (main) and that the archive is reachable")
    for deb in debs.glob("*.deb"):
        subprocess.run(["dpkg-deb", "-x", str(deb), str(unpacked)], check=True)
    (here / "packages.txt").write_text(listing)
    (here / "complete").write_text("")
    return unpacked, kernel


def update_apt_lists():
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True)


def library_path(unpacked):
    return f"{unpacked}/usr/lib/x86_64-linux-gnu:{unpacked}/lib/x86_64-linux-gnu"


def check_qemu_libraries(unpacked):
    """Fails with the list of QEMU's shared libraries found neither unpacked nor on the machine."""
    done = subprocess.run(["ldd", str(unpacked / QEMU)], capture_output=True, text=True,
                          env=dict(os.environ, LD_LIBRARY_PATH=library_path(unpacked)))
    missing = sorted({line.split()[0] for line in done.stdout.splitlines() if "not found" in line})
    if done.returncode != 0 or missing:
        sys.exit("kernel tier: QEMU cannot start, these libraries are missing: " + (", ".join(missing) or done.stderr.strip())
                 + f". Install the Debian packages that hold them, or remove {CACHE} and run the tier again.")


def build_guest():
    # A test binary: build speed matters more than the release profile's whole-program optimisation.
    env = dict(os.environ, RUSTFLAGS="-C target-feature=+crt-static", CARGO_TARGET_DIR=str(ROOT / "target" / "kernel-guest"),
               CARGO_PROFILE_RELEASE_LTO="false", CARGO_PROFILE_RELEASE_CODEGEN_UNITS="16")
    subprocess.run(
        ["cargo", "build", "--release", "--locked", "-p", "naparnik_input", "--example", "kernel_guest",
         "--target", "x86_64-unknown-linux-gnu"],
        cwd=ROOT, env=env, check=True,
    )
    return ROOT / "target" / "kernel-guest" / "x86_64-unknown-linux-gnu" / "release" / "examples" / "kernel_guest"


def build_initramfs(unpacked, kernel, guest, work):
    tree = work / "initramfs"
    (tree / "bin").mkdir(parents=True)
    (tree / "modules").mkdir()
    shutil.copy(unpacked / "bin" / "busybox", tree / "bin" / "busybox")
    shutil.copy(guest, tree / "guest")
    modules = unpacked / "lib" / "modules" / kernel / "kernel"
    for module in MODULES:
        shutil.copy(modules / f"{module}.ko", tree / "modules" / f"{pathlib.Path(module).name}.ko")
    names = " ".join(pathlib.Path(m).name for m in MODULES)
    (tree / "init").write_text(
        "#!/bin/busybox sh\n"
        "/bin/busybox --install -s /bin\n"
        "mkdir -p /proc /sys /dev /tmp\n"
        "mount -t proc proc /proc\nmount -t sysfs sysfs /sys\nmount -t devtmpfs devtmpfs /dev\n"
        f"for m in {names}; do insmod /modules/$m.ko || echo \"FAIL insmod $m\"; done\n"
        "/guest; echo \"GUEST EXIT $?\"\n"
        "poweroff -f\n"
    )
    os.chmod(tree / "init", 0o755)
    os.chmod(tree / "guest", 0o755)
    archive = work / "initrd.gz"
    files = subprocess.run(["find", "."], cwd=tree, check=True, capture_output=True).stdout
    packed = subprocess.run(["cpio", "-o", "-H", "newc", "--quiet"], cwd=tree, input=files, check=True, capture_output=True).stdout
    subprocess.run(["gzip", "-1"], input=packed, check=True, stdout=open(archive, "wb"))
    return archive


class Qmp:
    def __init__(self, path, vm):
        deadline = time.time() + 20
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX)
                self.sock.connect(str(path))
                break
            except OSError:
                if vm.poll() is not None:
                    raise RuntimeError(f"QEMU exited with code {vm.returncode} before it opened its QMP socket")
                if time.time() > deadline:
                    raise RuntimeError("QEMU did not open its QMP socket within 20 s")
                time.sleep(0.1)
        self.file = self.sock.makefile("rw")
        json.loads(self.file.readline())
        self.call("qmp_capabilities")

    def call(self, command, **arguments):
        message = {"execute": command}
        if arguments:
            message["arguments"] = arguments
        self.file.write(json.dumps(message) + "\n")
        self.file.flush()
        while True:
            reply = json.loads(self.file.readline())
            if "return" in reply:
                return reply["return"]
            if "error" in reply:
                raise RuntimeError(f"QMP {command}: {reply['error']}")

    def key(self, qcode, down):
        self.call("input-send-event", events=[{"type": "key", "data": {"down": down, "key": {"type": "qcode", "data": qcode}}}])

    def type(self, text):
        for char in text:
            shift = char.isupper()
            qcode = {"-": "minus", "\n": "ret"}.get(char, char.lower())
            if shift:
                self.key("shift", True)
            self.key(qcode, True)
            time.sleep(0.02)
            self.key(qcode, False)
            if shift:
                self.key("shift", False)
            time.sleep(0.02)


def main():
    unpacked, kernel = fetch_packages()
    check_qemu_libraries(unpacked)
    print(f"kernel tier: {kernel}, packages as in {unpacked.parent / 'packages.txt'}", flush=True)
    guest = build_guest()
    with tempfile.TemporaryDirectory() as temporary:
        work = pathlib.Path(temporary)
        initrd = build_initramfs(unpacked, kernel, guest, work)
        qmp_path = work / "qmp.sock"
        command = [
            str(unpacked / QEMU), "-L", str(unpacked / "usr/share/qemu"), "-L", str(unpacked / "usr/share/seabios"),
            "-accel", "tcg", "-m", "512", "-smp", "1", "-nographic", "-no-reboot", "-monitor", "none",
            "-kernel", str(unpacked / "boot" / f"vmlinuz-{kernel}"), "-initrd", str(initrd),
            "-append", "console=ttyS0 loglevel=3 panic=-1",
            "-device", "qemu-xhci,id=xhci", "-device", "usb-kbd,id=kbd0,bus=xhci.0",
            "-qmp", f"unix:{qmp_path},server=on,wait=off",
        ]
        started = time.time()
        qemu_errors = open(work / "qemu.stderr", "w+", errors="replace")
        vm = subprocess.Popen(command, env=dict(os.environ, LD_LIBRARY_PATH=library_path(unpacked)), stdout=subprocess.PIPE,
                              stderr=qemu_errors, stdin=subprocess.DEVNULL, text=True, errors="replace")
        lines = queue.Queue()
        console = []

        def read_console():
            for line in vm.stdout:
                console.append(line.rstrip())
                lines.put(line.strip())
            lines.put(None)

        threading.Thread(target=read_console, daemon=True).start()

        def wait_for(marker, timeout=STEP_TIMEOUT):
            deadline = time.time() + timeout
            while True:
                try:
                    line = lines.get(timeout=max(0.1, deadline - time.time()))
                except queue.Empty:
                    line = ""
                if line is None or time.time() > deadline:
                    raise RuntimeError(f"no `{marker}` from the guest")
                if line.startswith("FAIL"):
                    raise RuntimeError(line)
                if line == marker:
                    return

        passed = 0
        try:
            qmp = Qmp(qmp_path, vm)
            wait_for("READY", BOOT_TIMEOUT)
            print(f"kernel tier: guest ready after {time.time() - started:.1f} s", flush=True)
            qmp.type("EMP-0042\n")
            qmp.type("4006381333931\n")
            wait_for("WEDGE OK")
            passed += 1
            print("kernel tier: keyboard-wedge scanner, grab and uinput pass-through ok", flush=True)
            wait_for("UNPLUG")
            qmp.call("device_del", id="kbd0")
            wait_for("REPLUG")
            qmp.call("device_add", driver="usb-kbd", id="kbd1", bus="xhci.0")
            wait_for("TYPE2")
            qmp.type("EMP-0043\n")
            wait_for("HOTPLUG OK")
            passed += 1
            print("kernel tier: unplug and replug picked up without a restart ok", flush=True)
            wait_for("HIDPOS OK")
            passed += 1
            print("kernel tier: HID POS scanner through uhid and hidapi ok", flush=True)
            wait_for("ALL OK")
        except Exception as error:  # report, show the console, fail
            print(f"kernel tier FAILED: {error}", file=sys.stderr)
            vm.kill()
            vm.wait(timeout=30)
            print("\n".join(console[-60:]), file=sys.stderr)
            qemu_errors.seek(0)
            stderr = qemu_errors.read().strip()
            print(f"QEMU's own errors:\n{stderr}" if stderr else "QEMU wrote nothing on stderr", file=sys.stderr)
            print(f"{passed} passed, 1 failed")
            return 1
        vm.wait(timeout=30)
        print(f"kernel tier: whole run {time.time() - started:.1f} s")
        print(f"{passed} passed, 0 failed")
        return 0


if __name__ == "__main__":
    sys.exit(main())
