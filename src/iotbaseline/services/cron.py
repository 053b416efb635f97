"""Crontab lines: the schedule, the user and the command (`@reboot` jobs run at every boot)."""

import re
from collections.abc import Iterator
from dataclasses import dataclass

_ENVIRONMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\s*=")
_PERCENT = re.compile(r"(?<!\\)%")


@dataclass(frozen=True)
class CronJob:
    schedule: str
    user: str
    command: str
    path: str
    line: int
    text: str


def parse_crontab(text: str, path: str, user_field: bool, owner: str) -> Iterator[CronJob]:
    """`owner`: whose crontab it is, for per-user files (/etc/crontabs/root)."""
    for number, raw in enumerate(text.split("\n"), 1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#") or _ENVIRONMENT.match(stripped):
            continue
        words = stripped.split()
        count = 1 if words[0].startswith("@") else 5
        if len(words) <= count + (1 if user_field else 0):
            continue
        schedule = " ".join(words[:count])
        user = words[count] if user_field else owner
        rest = stripped
        for _ in range(count + (1 if user_field else 0)):
            rest = rest.split(None, 1)[1] if len(rest.split(None, 1)) > 1 else ""
        command = _PERCENT.split(rest, maxsplit=1)[0]  # after an unescaped % comes the job's input
        yield CronJob(schedule, user, command.strip(), path, number, stripped)
