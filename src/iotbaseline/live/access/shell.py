"""A shell without login: the port shows a command prompt; one empty line is sent (no command) and the
same prompt must come back, which a login prompt would not do."""

from iotbaseline.live.access.place import AccessPlace, result
from iotbaseline.live.credentials.telnet import TelnetDialogue
from iotbaseline.live.model import ObservedService
from iotbaseline.live.protocols.speaks_first import prompt_of
from iotbaseline.live.text import printable
from iotbaseline.live.trials import AccessResult

_SHELL = frozenset({"shell", "login", "password"})


async def shell_without_login(place: AccessPlace, service: ObservedService) -> AccessResult | None:
    if service.protocol not in ("telnet", "shell") or service.evidence.get("prompt") != "shell":
        return None
    async with place.connect(service.port, service.tls, "shell") as connection:
        if connection is None:
            return result(service, "shell-without-login", None, "no connection this time")
        dialogue = TelnetDialogue(connection)
        first = await dialogue.until(_SHELL, place.wait * 2)
        if first != "shell":
            return result(service, "shell-without-login", False, f"asks for a {first or 'nothing'} now")
        prompt = _last_line(dialogue.text)
        mark = len(dialogue.text)
        await connection.send(b"\r\n")
        await dialogue.until(frozenset({"shell"}), place.wait * 2)
        again = dialogue.since(mark)
    if prompt_of(again) == "shell":
        summary = f"a command prompt ({prompt!r}) without any login; an empty line brought it back"
        return result(service, "shell-without-login", True, summary, prompt=prompt, echo=_last_line(again))
    return result(service, "shell-without-login", None, "the prompt did not come back after an empty line")


def _last_line(text: str) -> str:
    return printable(text.replace("\r", "\n").rstrip().rsplit("\n", 1)[-1], 80)
