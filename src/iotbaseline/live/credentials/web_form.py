"""Web login forms: fetch the login page (fresh tokens and cookies each time), submit its form with the
pair, follow one redirect on the same origin, and compare with what the random control pair got. A
login needs the form gone, no failure or lockout words, an answer unlike the control's, and a positive
sign (a redirect away from the login page, or a new cookie). Anything less is a refusal: a false
success would be a false FAIL of 5.1-1."""

from dataclasses import dataclass

from iotbaseline.live.credentials.forms import LoginForm, has_password_input, login_forms
from iotbaseline.live.credentials.login import Login, LoginPlace, Stopwatch
from iotbaseline.live.credentials.outcome import AttemptResult, Verdict
from iotbaseline.live.credentials.settings import CredentialSettings
from iotbaseline.live.web_client import WebResponse, exchange, request, same_origin_path

MAX_TEXT = 64 * 1024


@dataclass(frozen=True)
class FormAnswer:
    """What submitting the form led to."""

    status: int
    location: str
    """The redirect's same-origin path ('' when none)."""
    cookies: frozenset[str]
    """Cookie names the submission's answer set."""
    final_status: int
    final_path: str
    final_text: str
    """The page shown in the end (after at most one redirect), bounded."""

    @property
    def has_form(self) -> bool:
        return has_password_input(self.final_text)

    @property
    def signature(self) -> tuple[int, str, frozenset[str], int, bool]:
        return (self.status, self.location.split("?")[0], self.cookies, self.final_status, self.has_form)


def judge_form_answer(answer: FormAnswer, control: FormAnswer | None, settings: CredentialSettings) -> AttemptResult:
    """Pure: the verdict on one submission, given the control pair's (None: this is the control)."""
    text = answer.final_text
    locked = settings.says_locked(text)
    if answer.status == 429 or answer.final_status == 429 or locked:
        return AttemptResult(Verdict.LOCKED, detail=f"status {answer.status}, {locked or 'too many requests'}")
    if answer.has_form:
        return AttemptResult(Verdict.REJECTED, detail=f"the login form again ({answer.final_path})")
    if answer.final_status >= 500:
        return AttemptResult(Verdict.ERROR, detail=f"status {answer.final_status}")
    if answer.final_status >= 400:
        return AttemptResult(Verdict.REJECTED, detail=f"status {answer.final_status}")
    failed = settings.says_failed(text)
    if failed:
        return AttemptResult(Verdict.REJECTED, detail=f"the page says {failed!r}")
    if control is not None and answer.signature == control.signature:
        return AttemptResult(Verdict.REJECTED, detail="the same answer as the random pair")
    signs = _signs(answer, control, settings)
    if not signs:
        return AttemptResult(Verdict.ERROR, detail="no login form, but no sign of a session either")
    return AttemptResult(Verdict.ACCEPTED, proof="; ".join(signs))


def _signs(answer: FormAnswer, control: FormAnswer | None, settings: CredentialSettings) -> list[str]:
    signs = []
    location = answer.location.lower()
    away = bool(location) and not any(word in location for word in settings.login_path_words)
    if away and (control is None or answer.location.split("?")[0] != control.location.split("?")[0]):
        signs.append(f"redirected to {answer.location[:100]}")
    new = sorted(answer.cookies - (control.cookies if control else frozenset()))
    if new:
        signs.append(f"set cookie {', '.join(new[:4])}")
    if signs and control is not None and control.has_form:
        signs.append("the random pair got the login form back")
    return signs


class WebFormLogin(Login):
    method = "http-form"
    kind = "web"

    def __init__(self, place: LoginPlace, where: str) -> None:
        super().__init__(place, where or "/")
        self.control: FormAnswer | None = None

    async def attempt(self, user: str, password: str, control: bool = False) -> AttemptResult:
        page = await self._get(self.where, {})
        if isinstance(page, AttemptResult):
            return page
        forms = login_forms(page.text[:MAX_TEXT], self.place.settings.form_user_fields)
        if not forms:
            return AttemptResult(Verdict.ERROR, detail=f"no login form at {self.where} (status {page.status})")
        form = forms[0]
        action = same_origin_path(self.where, form.action or self.where, self.place.host_header)
        if action is None:
            return AttemptResult(Verdict.ERROR, detail=f"the form posts to another origin ({form.action[:80]})")
        clock = Stopwatch()
        answer = await self._submit(form, action, user, password, dict(page.cookies))
        if isinstance(answer, AttemptResult):
            return AttemptResult(answer.verdict, clock.seconds, detail=answer.detail)
        result = judge_form_answer(answer, None if control else self.control, self.place.settings)
        if control:
            self.control = answer
        return AttemptResult(result.verdict, clock.seconds, result.proof, result.detail)

    async def _submit(
        self, form: LoginForm, action: str, user: str, password: str, cookies: dict[str, str]
    ) -> FormAnswer | AttemptResult:
        data = form.submission(user, password)
        if form.method == "GET":
            path = f"{action}{'&' if '?' in action else '?'}{data}"
            sent = await self._send(request("GET", path, self.place.host_header, cookies, referer=self.where))
        else:
            sent = await self._send(
                request("POST", action, self.place.host_header, cookies, body=data, referer=self.where)
            )
        if isinstance(sent, AttemptResult):
            return sent
        location = sent.message.header("location") or ""
        target = same_origin_path(action, location, self.place.host_header) if location else None
        final, final_path = sent, action
        if target is not None and 300 <= sent.status < 400:
            followed = await self._get(target, {**cookies, **sent.cookies})
            if isinstance(followed, AttemptResult):
                return followed
            final, final_path = followed, target
        return FormAnswer(
            status=sent.status,
            location=target or "",
            cookies=frozenset(sent.cookies),
            final_status=final.status,
            final_path=final_path,
            final_text=final.text[:MAX_TEXT],
        )

    async def _get(self, path: str, cookies: dict[str, str]) -> WebResponse | AttemptResult:
        return await self._send(request("GET", path, self.place.host_header, cookies))

    async def _send(self, data: bytes) -> WebResponse | AttemptResult:
        async with self.connection() as opened:
            if isinstance(opened, AttemptResult):
                return opened
            response = await exchange(opened, data, self.place.wait)
        if response is None:
            return AttemptResult(Verdict.REFUSED, detail="closed without an HTTP answer")
        return response
