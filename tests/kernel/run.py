#!/usr/bin/env python3
"""Real-kernel tier of the input tests.

Boots a Debian kernel (linux-image, unpacked, not installed) under qemu-system-x86_64 (TCG) with a
busybox initramfs and the static `kernel_guest` program, and checks the input readers against real
kernel devices: a QEMU usb-kbd as a keyboard-wedge scanner typed from here through QMP (grab, and
pass-through to a second reader through the guest's uinput), hotplug by removing and adding the USB
device, and a HID POS scanner created through /dev/uhid and read with hidapi.

Packages come from Debian's archive with `apt-get download` into target/kernel-tier (cached), so
nothing on the machine is installed or replaced. Timeouts in guest and host make a hang fail fast.
"""

import json
import os
import pathlib
import queue
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
CACHE = ROOT / "target" / "kernel-tier"
KERNEL = "6.1.0-56-amd64"
PACKAGES = [
    f"linux-image-{KERNEL}", "busybox-static", "qemu-system-x86", "qemu-system-common", "qemu-system-data",
    "seabios", "ipxe-qemu", "libcapstone4", "libfdt1", "libibverbs1", "libpmem1", "librdmacm1", "libslirp0",
    "libvdeplug2", "libndctl6", "libdaxctl1", "libnl-3-200", "libnl-route-3-200",
]
MODULES = [
    "drivers/usb/common/usb-common", "drivers/usb/core/usbcore", "drivers/usb/host/xhci-hcd",
    "drivers/usb/host/xhci-pci", "drivers/hid/hid", "drivers/hid/hid-generic", "drivers/hid/usbhid/usbhid",
    "drivers/input/evdev", "drivers/input/misc/uinput", "drivers/hid/uhid",
]
BOOT_TIMEOUT = 120
STEP_TIMEOUT = 60


def fetch_packages():
    unpacked = CACHE / "root"
    if (unpacked / "boot" / f"vmlinuz-{KERNEL}").exists() and (unpacked / "usr/bin/qemu-system-x86_64").exists():
        return unpacked
    debs = CACHE / "debs"
    debs.mkdir(parents=True, exist_ok=True)
    download = ["apt-get", "download", *PACKAGES]
    if subprocess.run(download, cwd=debs).returncode != 0:
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True)
        subprocess.run(download, cwd=debs, check=True)
    for deb in debs.glob("*.deb"):
        subprocess.run(["dpkg-deb", "-x", str(deb), str(unpacked)], check=True)
    return unpacked


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


def build_initramfs(unpacked, guest, work):
    tree = work / "initramfs"
    (tree / "bin").mkdir(parents=True)
    (tree / "modules").mkdir()
    shutil.copy(unpacked / "bin" / "busybox", tree / "bin" / "busybox")
    shutil.copy(guest, tree / "guest")
    modules = unpacked / "lib" / "modules" / KERNEL / "kernel"
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
    def __init__(self, path):
        deadline = time.time() + 20
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX)
                self.sock.connect(str(path))
                break
            except OSError:
                if time.time() > deadline:
                    raise
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
    unpacked = fetch_packages()
    guest = build_guest()
    with tempfile.TemporaryDirectory() as temporary:
        work = pathlib.Path(temporary)
        initrd = build_initramfs(unpacked, guest, work)
        qmp_path = work / "qmp.sock"
        libs = f"{unpacked}/usr/lib/x86_64-linux-gnu:{unpacked}/lib/x86_64-linux-gnu"
        command = [
            str(unpacked / "usr/bin/qemu-system-x86_64"), "-L", str(unpacked / "usr/share/qemu"), "-L", str(unpacked / "usr/share/seabios"),
            "-accel", "tcg", "-m", "512", "-smp", "1", "-nographic", "-no-reboot", "-monitor", "none",
            "-kernel", str(unpacked / "boot" / f"vmlinuz-{KERNEL}"), "-initrd", str(initrd),
            "-append", "console=ttyS0 loglevel=3 panic=-1",
            "-device", "qemu-xhci,id=xhci", "-device", "usb-kbd,id=kbd0,bus=xhci.0",
            "-qmp", f"unix:{qmp_path},server=on,wait=off",
        ]
        started = time.time()
        vm = subprocess.Popen(command, env=dict(os.environ, LD_LIBRARY_PATH=libs), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True, errors="replace")
        lines = queue.Queue()
        console = []

        def read_console():
            for line in vm.stdout:
                console.append(line.rstrip())
                lines.put(line.strip())
            lines.put(None)

        threading.Thread(target=read_console, daemon=True).start()
        qmp = Qmp(qmp_path)

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
            print("\n".join(console[-60:]), file=sys.stderr)
            vm.kill()
            print(f"{passed} passed, 1 failed")
            return 1
        vm.wait(timeout=30)
        print(f"kernel tier: whole run {time.time() - started:.1f} s")
        print(f"{passed} passed, 0 failed")
        return 0


if __name__ == "__main__":
    sys.exit(main())
