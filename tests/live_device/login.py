"""A test-only telnet login program for the simulated device (busybox telnetd -l runs it on the pty):
asks for a user name and password, checks them against SIM_LOGIN_USER / SIM_LOGIN_PASSWORD, and
after a good login offers a prompt that only echoes (no shell: nothing of the host is reachable).
Never reads or changes the host's accounts."""

import os
import sys
import termios


def _ask(prompt: str, echo: bool = True) -> str | None:
    sys.stdout.write(prompt)
    sys.stdout.flush()
    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd) if not echo and os.isatty(fd) else None
    if saved is not None:
        quiet = termios.tcgetattr(fd)
        quiet[3] &= ~termios.ECHO
        termios.tcsetattr(fd, termios.TCSADRAIN, quiet)
    try:
        line = sys.stdin.readline()
    finally:
        if saved is not None:
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)
            sys.stdout.write("\r\n")
    return line.strip() if line else None


def main() -> int:
    user, password = os.environ.get("SIM_LOGIN_USER", ""), os.environ.get("SIM_LOGIN_PASSWORD", "")
    hostname = os.environ.get("SIM_HOSTNAME", "device")
    for _ in range(3):
        name = _ask(f"{hostname} login: ")
        if name is None:
            return 1
        given = _ask("Password: ", echo=False)
        if given is None:
            return 1
        if user and name == user and given == password:
            return _session(hostname)
        sys.stdout.write("Login incorrect\r\n")
    return 1


def _session(hostname: str) -> int:
    while True:
        command = _ask(f"{hostname}:~# ")
        if command is None or command == "exit":
            return 0
        sys.stdout.write(f"-sh: {command.split()[0] if command.split() else ''}: not available on the simulator\r\n")


if __name__ == "__main__":
    sys.exit(main())
