#!/usr/bin/env bash
# Builds the Naparnik MSI on Linux: installer/windows/build-msi.sh VERSION NAPARNIK_EXE OUTPUT_MSI
# wixl (Debian package wixl) compiles naparnik.wxs; msibuild (msitools) then adds what wixl 0.101
# cannot express: the config component's NeverOverwrite + Permanent flags, and the REMOVEDATA=1
# uninstall action.
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 VERSION NAPARNIK_EXE OUTPUT_MSI" >&2; exit 2; }
version=$1 exe=$(realpath "$2") out=$(realpath -m "$3")
cd "$(dirname "$0")/../.."
# Shipped without debug information, as the Debian package is (the build keeps line tables for
# backtraces in the development build): a quarter of the size.
stripped=$(mktemp -d)/naparnik.exe
trap 'rm -rf "$(dirname "$stripped")"' EXIT
x86_64-w64-mingw32-strip --strip-debug -o "$stripped" "$exe"
exe=$stripped
# wixl resolves File sources relative to the working directory, and only relative paths.
wixl -a x64 -D "Version=$version" -D "ExePath=$(realpath --relative-to=. "$exe")" \
    -D "ConfigPath=installer/windows/config.toml" -o "$out" installer/windows/naparnik.wxs
# Component attributes: 256 64-bit + 16 permanent + 128 never overwrite.
msibuild "$out" -q "UPDATE \`Component\` SET \`Attributes\` = 400 WHERE \`Component\` = 'Config'"
# Type 3170 = 34 (program in a directory) + 64 (ignore its exit code) + 1024 (deferred) + 2048 (as SYSTEM).
msibuild "$out" -q "INSERT INTO \`CustomAction\` (\`Action\`, \`Type\`, \`Source\`, \`Target\`) VALUES ('RemoveData', 3170, 'TARGETDIR', 'cmd.exe /c rmdir /s /q \"[CommonAppDataFolder]Naparnik\"')"
msibuild "$out" -q "INSERT INTO \`InstallExecuteSequence\` (\`Action\`, \`Condition\`, \`Sequence\`) VALUES ('RemoveData', 'REMOVE=\"ALL\" AND REMOVEDATA=\"1\" AND NOT UPGRADINGPRODUCTCODE', 3501)"
msibuild "$out" -q "UPDATE \`Property\` SET \`Value\` = 'WIX_DOWNGRADE_DETECTED;WIX_UPGRADE_DETECTED;REMOVEDATA' WHERE \`Property\` = 'SecureCustomProperties'"
echo "built $out"
