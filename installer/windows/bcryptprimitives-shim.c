/*
 * Test-only stand-in for bcryptprimitives.dll under Wine 8, which lacks it.
 *
 * Rust 1.78 and later take random bytes from ProcessPrng in
 * bcryptprimitives.dll (present on every Windows 10 and 11). Wine 8 has no
 * such DLL, so a Rust .exe stops at load with status 53. This DLL gives
 * ProcessPrng over advapi32's SystemFunction036 (RtlGenRandom), which Wine
 * has. installer/windows/wine-tier.sh builds it with mingw into the test
 * prefix only; it is never shipped in the MSI.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
