"""Real ELF files for the hardening tests, built by the host's gcc with and without each mitigation.

gcc (with binutils and libc6-dev) is a test dependency: scripts/debian-packages.txt lists it.
"""

import shutil
import subprocess
from pathlib import Path

# A network server: receives with recv/accept, copies with strcpy into a buffer of known size
# (fortifiable) and of unknown size (never fortifiable), formats with sprintf and runs system().
SERVER = r"""
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

__attribute__((noinline)) void copy_out(char *target, const char *text) { strcpy(target, text); }

int handle(int fd, char *spare) {
    char line[256], word[64], reply[128];
    ssize_t n = recv(fd, line, sizeof line - 1, 0);
    if (n <= 0) return -1;
    line[n] = 0;
    strcpy(word, line);
    copy_out(spare, line);
    sprintf(reply, "got %s", word);
    return (int)write(fd, reply, strlen(reply));
}

int main(int argc, char **argv) {
    int server = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = {0};
    address.sin_family = AF_INET;
    bind(server, (struct sockaddr *)&address, sizeof address);
    listen(server, 1);
    if (argc > 5) {
        char *spare = malloc(512);
        handle(accept(server, 0, 0), spare);
    }
    return argc > 9 ? system(argv[1]) : 0;
}
"""

LIBRARY = r"""
#include <string.h>
int greet(char *out, const char *name) { char local[32]; strcpy(local, name); memcpy(out, local, 8); return 0; }
"""

HARDENED = ("-O2", "-D_FORTIFY_SOURCE=2", "-fstack-protector-strong", "-fPIE", "-pie", "-Wl,-z,relro,-z,now")
HARDENED_STACK = (*HARDENED, "-Wl,-z,noexecstack")
BARE = (
    "-O0", "-U_FORTIFY_SOURCE", "-fno-stack-protector", "-fno-pie", "-no-pie", "-Wl,-z,norelro", "-Wl,-z,execstack",
)  # fmt: skip

VARIANTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "hardened": (SERVER, HARDENED_STACK),
    "bare": (SERVER, BARE),
    "partial-relro": (SERVER, ("-O2", "-fstack-protector-strong", "-fPIE", "-pie", "-Wl,-z,relro", "-Wl,-z,lazy")),
    "static": (SERVER, ("-O2", "-static", "-fstack-protector-strong")),
    "static-stripped": (SERVER, ("-O2", "-static", "-s", "-fstack-protector-strong")),
    "rpath": (SERVER, (*HARDENED_STACK, "-Wl,--disable-new-dtags", "-Wl,-rpath,/tmp/lib::lib:/usr/lib")),
    "runpath-origin": (SERVER, (*HARDENED_STACK, "-Wl,--enable-new-dtags", "-Wl,-rpath,$ORIGIN/../lib")),
    "sysv-hash": (SERVER, (*HARDENED_STACK, "-Wl,--hash-style=sysv")),
    "library": (LIBRARY, ("-O2", "-shared", "-fPIC", "-fstack-protector-strong", "-D_FORTIFY_SOURCE=2", "-Wl,-z,now")),
    "object": (LIBRARY, ("-O2", "-c", "-fstack-protector-strong")),
}


def gcc() -> str:
    found = shutil.which("gcc")
    assert found, "the hardening tests build real binaries with gcc: install the Debian package gcc"
    return found


def build(folder: Path, variant: str) -> Path:
    """The ELF of `variant`, built once into `folder`."""
    output = folder / variant
    if output.exists():
        return output
    source, flags = VARIANTS[variant]
    source_file = folder / f"{variant}.c"
    source_file.write_text(source)
    subprocess.run([gcc(), *flags, "-o", str(output), str(source_file)], check=True, capture_output=True)
    return output


def without_section_headers(data: bytes) -> bytes:
    """What `sstrip` leaves (64-bit little-endian ELF): no section header table at all."""
    patched = bytearray(data)
    patched[0x28:0x30] = bytes(8)  # e_shoff
    patched[0x3C:0x40] = bytes(4)  # e_shnum, e_shstrndx
    return bytes(patched)
