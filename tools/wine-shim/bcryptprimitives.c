/*
 * bcryptprimitives.dll for Wine 8, used only by scripts/release.sh to run the windows_amd64 build
 * under Wine; it is never shipped.
 *
 * Rust's standard library (1.78 and later) gets random bytes from ProcessPrng in
 * bcryptprimitives.dll, which every Windows 10 has but Wine gained only after 8.0 (Debian 12's):
 * there the provider cannot even load. This stand-in exports ProcessPrng on top of
 * RtlGenRandom (advapi32's SystemFunction036), which Wine has. release.sh builds it with
 * `zig cc -target x86_64-windows-gnu -shared` and puts it beside a copy of the executable (the
 * first place Windows looks for a DLL) when Wine has no bcryptprimitives.dll of its own.
 */
#include <windows.h>

BOOLEAN NTAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!SystemFunction036(data, n)) return FALSE;
        data += n;
        len -= n;
    }
    return TRUE;
}
