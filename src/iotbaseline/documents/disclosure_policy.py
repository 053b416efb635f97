"""Judging a vulnerability disclosure policy from its text (EN 303 645 5.2-1; UK PSTI Schedule 1 paragraph 2):
a contact point, when a reporter gets an acknowledgement, when status updates follow; and the good practice
worth noting (safe harbour, scope, a coordinated-disclosure timeline, no NDA).

Deterministic: the phrases of `data/documents/disclosure_policy.yaml`, sentence by sentence. An element is found
(YES, with the sentence that says it), VAGUE (mentioned without the time or address that makes it checkable) or
not at all (NO). A time is the duration nearest a cue in the same sentence, never one that belongs to another
element's cue ("acknowledge ... and send status updates every 30 days" gives no acknowledgement time).
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from iotbaseline.documents.durations import Duration
from iotbaseline.documents.evidence import Contradiction, Found
from iotbaseline.documents.policy_phrases import GOOD_PRACTICE, PolicyPhrases, default_policy_phrases
from iotbaseline.documents.sentences import Quote, Sentence
from iotbaseline.documents.text import DocumentText
from iotbaseline.model import JSONValue
from iotbaseline.profile.model import VulnerabilityDisclosure

CONTACT, ACKNOWLEDGEMENT, STATUS_UPDATES = "contact", "acknowledgement", "status-updates"
REQUIRED = (CONTACT, ACKNOWLEDGEMENT, STATUS_UPDATES)
MAX_QUOTES = 3
NEGATION_REACH = 40
"""Characters before a promise that a "not" may stand in and still take it back."""

_EMAIL = re.compile(r"(?<![\w.+-])[\w.%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}")
_URL = re.compile(r"https?://[^\s<>\"'()\[\]]{1,500}", re.IGNORECASE)
_SECURITY_TXT = re.compile(r"security\.txt", re.IGNORECASE)


@dataclass(frozen=True)
class ElementJudgement:
    element: str
    found: Found
    quotes: tuple[Quote, ...] = ()
    values: tuple[str, ...] = ()
    """What was read: the addresses, or the time as written ("5 working days")."""
    question: str = ""
    """For a person, when the element is not plainly there."""
    duration: Duration | None = None

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "element": self.element,
            "found": self.found.value,
            "values": list(self.values),
            "quotes": [q.to_dict() for q in self.quotes],
            "question": self.question,
        }


@dataclass(frozen=True)
class PolicyJudgement:
    required: tuple[ElementJudgement, ...]
    """Contact, acknowledgement, status updates: what EN 303 645 5.2-1 and PSTI ask for."""
    good_practice: tuple[ElementJudgement, ...]
    nda_required: tuple[Quote, ...]
    """Sentences that make reporters sign a non-disclosure agreement."""
    contradictions: tuple[Contradiction, ...]

    def element(self, name: str) -> ElementJudgement:
        return next(e for e in (*self.required, *self.good_practice) if e.element == name)

    @property
    def missing(self) -> tuple[ElementJudgement, ...]:
        return tuple(e for e in self.required if e.found is Found.NO)

    @property
    def vague(self) -> tuple[ElementJudgement, ...]:
        return tuple(e for e in self.required if e.found is Found.VAGUE)

    @property
    def complete(self) -> bool:
        return all(e.found is Found.YES for e in self.required)

    @property
    def questions(self) -> tuple[str, ...]:
        return tuple(e.question for e in self.required if e.question)

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "required": [e.to_dict() for e in self.required],
            "good_practice": {e.element: e.found.value for e in self.good_practice},
            "good_practice_quotes": {
                e.element: [q.to_dict() for q in e.quotes] for e in self.good_practice if e.quotes
            },
            "nda_required": [q.to_dict() for q in self.nda_required],
            "contradictions": [c.to_dict() for c in self.contradictions],
            "questions": list(self.questions),
        }


def judge_policy(
    text: DocumentText, declared: VulnerabilityDisclosure | None = None, phrases: PolicyPhrases | None = None
) -> PolicyJudgement:
    phrases = phrases or default_policy_phrases()
    sentences = text.sentences
    contact = _contact(sentences, text.url, phrases)
    acknowledgement = _timed(ACKNOWLEDGEMENT, sentences, phrases.acknowledgement, phrases.status_update, phrases)
    status = _timed(STATUS_UPDATES, sentences, phrases.status_update, phrases.acknowledgement, phrases)
    good = tuple(_good_practice(key, sentences, phrases) for key in GOOD_PRACTICE)
    nda = tuple(s.quote() for s in sentences if phrases.nda_required.search(s.text))[:MAX_QUOTES]
    return PolicyJudgement(
        required=(contact, acknowledgement, status),
        good_practice=good,
        nda_required=nda,
        contradictions=_contradictions(declared, contact, acknowledgement, status, phrases),
    )


def _contact(sentences: Sequence[Sentence], base_url: str, phrases: PolicyPhrases) -> ElementJudgement:
    strong: list[tuple[Sentence, str]] = []
    weak: list[tuple[Sentence, str]] = []
    generic: list[Sentence] = []
    for sentence in sentences:
        about_reporting = bool(
            phrases.reporting_context.search(sentence.text) or phrases.reporting_context.search(sentence.section)
        )
        channels = 0
        for address in _emails(sentence, phrases):
            mailbox = address.split("@")[0].lower()
            target = strong if about_reporting or _security_mailbox(mailbox, phrases) else weak
            target.append((sentence, address))
            channels += target is strong
        for url in _channel_urls(sentence, base_url, about_reporting, phrases):
            strong.append((sentence, url))
            channels += 1
        if not channels and about_reporting and phrases.generic_contact.search(sentence.text):
            generic.append(sentence)
    if strong:
        return _element(CONTACT, Found.YES, strong)
    if weak:
        shown = ", ".join(dict.fromkeys(v for _, v in weak))
        question = (
            f"The policy shows {shown} but does not say it takes security reports: "
            "is that the contact point for reporting a vulnerability?"
        )
        return _element(CONTACT, Found.VAGUE, weak, question)
    if generic:
        return ElementJudgement(
            CONTACT,
            Found.VAGUE,
            tuple(s.quote() for s in generic[:MAX_QUOTES]),
            question="The policy refers reporters to a general contact without an address: "
            "which e-mail address or web form takes security reports?",
        )
    return ElementJudgement(
        CONTACT,
        Found.NO,
        question="The policy names no contact point for security reports: "
        "where do reporters send them (an e-mail address or a web form)?",
    )


def _element(
    name: str, found: Found, hits: Sequence[tuple[Sentence, str]], question: str = "", duration: Duration | None = None
) -> ElementJudgement:
    quotes = tuple(dict.fromkeys(s.quote() for s, _ in hits))[:MAX_QUOTES]
    values = tuple(dict.fromkeys(v for _, v in hits))[:MAX_QUOTES]
    return ElementJudgement(name, found, quotes, values, question, duration)


def _emails(sentence: Sentence, phrases: PolicyPhrases) -> list[str]:
    found = [m.group(0) for m in _EMAIL.finditer(sentence.text)]
    found += [
        f"{m.group('local')}@{phrases.obfuscated_dot.sub('.', m.group('domain'))}"
        for m in phrases.obfuscated_email.finditer(sentence.text)
    ]
    found += [link[len("mailto:") :].split("?")[0] for link in sentence.links if link.lower().startswith("mailto:")]
    return list(dict.fromkeys(address.strip().rstrip(".").lower() for address in found if "@" in address))


def _security_mailbox(mailbox: str, phrases: PolicyPhrases) -> bool:
    return mailbox in phrases.security_mailboxes or any(
        mailbox.startswith(name + sep) for name in phrases.security_mailboxes for sep in "-._+"
    )


def _channel_urls(sentence: Sentence, base_url: str, about_reporting: bool, phrases: PolicyPhrases) -> list[str]:
    """Web forms, disclosure platforms and security.txt files that take reports."""
    candidates = [m.group(0).rstrip(".,;:!?") for m in _URL.finditer(sentence.text)]
    candidates += [urljoin(base_url, link) for link in sentence.links if not link.lower().startswith("mailto:")]
    channels = []
    for url in dict.fromkeys(candidates):
        try:
            parts = urlsplit(url)
        except ValueError:
            continue
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("http", "https"):
            continue
        on_platform = any(host == h or host.endswith("." + h) for h in phrases.platform_hosts)
        reporting_link = about_reporting and bool(
            phrases.channel_link_words.search(parts.path) or phrases.channel_sentence_words.search(sentence.text)
        )
        if on_platform or _SECURITY_TXT.search(parts.path) or reporting_link:
            channels.append(url)
    if not channels and about_reporting and _SECURITY_TXT.search(sentence.text):
        channels.append("security.txt")
    return channels


def _timed(
    name: str,
    sentences: Sequence[Sentence],
    cue: re.Pattern[str],
    other_cue: re.Pattern[str],
    phrases: PolicyPhrases,
) -> ElementJudgement:
    timed: list[tuple[Sentence, Duration]] = []
    vague: list[Sentence] = []
    for sentence in sentences:
        cues = list(cue.finditer(sentence.text))
        if not cues:
            continue
        others = [m.start() for m in other_cue.finditer(sentence.text) if not any(_overlap(m, c) for c in cues)]
        nearest = _nearest(phrases.durations.find(sentence.text), cues, others)
        if nearest is not None and not _negated(sentence.text, *nearest, phrases):
            timed.append((sentence, nearest[0]))
        else:
            vague.append(sentence)
    if timed:
        longest = max((d for _, d in timed), key=lambda d: d.hours)
        return _element(name, Found.YES, [(s, d.text) for s, d in timed], duration=longest)
    what = "an acknowledgement" if name == ACKNOWLEDGEMENT else "status updates"
    if vague:
        quote = vague[0].quote()
        until = name == STATUS_UPDATES and any(phrases.until_resolved.search(s.text) for s in vague)
        ask = (
            "within how many days does a reporter hear back?"
            if name == ACKNOWLEDGEMENT
            else "how often, or by when, does a reporter get a status update until the issue is resolved?"
        )
        note = " until resolution" if until else ""
        return ElementJudgement(
            name,
            Found.VAGUE,
            tuple(s.quote() for s in vague[:MAX_QUOTES]),
            question=f"The policy promises {what}{note} without a time ({quote.text!r}, sentence {quote.sentence}): "
            + ask,
        )
    ask = (
        "how soon does a reporter hear back?"
        if name == ACKNOWLEDGEMENT
        else "when do reporters get status updates until the issue is resolved?"
    )
    return ElementJudgement(name, Found.NO, question=f"The policy says nothing about {what}: {ask}")


def _overlap(a: re.Match[str], b: re.Match[str]) -> bool:
    return a.start() < b.end() and b.start() < a.end()


def _nearest(
    durations: Sequence[Duration], cues: Sequence[re.Match[str]], others: Sequence[int]
) -> tuple[Duration, re.Match[str]] | None:
    """The duration closest to a cue (one after it preferred), unless another element's cue stands between; with
    that cue."""
    best: tuple[int, Duration, re.Match[str]] | None = None
    for cue in cues:
        for duration in durations:
            if duration.start >= cue.end():
                distance = duration.start - cue.end()
                between = any(cue.end() <= o < duration.start for o in others)
            else:
                distance = 2 * max(0, cue.start() - duration.end)
                between = any(duration.end <= o < cue.start() for o in others)
            if not between and (best is None or distance < best[0]):
                best = (distance, duration, cue)
    return (best[1], best[2]) if best else None


def _negated(text: str, duration: Duration, cue: re.Match[str], phrases: PolicyPhrases) -> bool:
    """A negation next to the promise ("we do not guarantee a response within 5 days") takes it back; one
    elsewhere in the sentence ("... and we will not take legal action") does not, nor "if you have not heard"."""
    start = max(0, min(duration.start, cue.start()) - NEGATION_REACH)
    end = max(duration.end, cue.end())
    if phrases.if_silent.search(text, start, end):
        return False
    return phrases.negation.search(text, start, end) is not None


def _good_practice(key: str, sentences: Sequence[Sentence], phrases: PolicyPhrases) -> ElementJudgement:
    pattern = phrases.good_practice[key]
    hits = [s for s in sentences if pattern.search(s.text)]
    if key == "no-nda":
        hits = [s for s in hits if not phrases.nda_required.search(s.text)]
    return ElementJudgement(key, Found.YES if hits else Found.NO, tuple(s.quote() for s in hits[:MAX_QUOTES]))


def _contradictions(
    declared: VulnerabilityDisclosure | None,
    contact: ElementJudgement,
    acknowledgement: ElementJudgement,
    status: ElementJudgement,
    phrases: PolicyPhrases,
) -> tuple[Contradiction, ...]:
    if declared is None:
        return ()
    found: list[Contradiction] = []
    if declared.contact and contact.found is not Found.NO and contact.values:
        wanted = _normal_contact(declared.contact)
        if not any(_normal_contact(v) == wanted or _normal_contact(v).startswith(wanted) for v in contact.values):
            quote = contact.quotes[0] if contact.quotes else None
            found.append(
                Contradiction(
                    "vulnerability_disclosure.contact", declared.contact, ", ".join(contact.values), quote, False
                )
            )
    for field, declared_time, element in (
        ("vulnerability_disclosure.acknowledgement_time", declared.acknowledgement_time, acknowledgement),
        ("vulnerability_disclosure.status_update_time", declared.status_update_time, status),
    ):
        contradiction = _time_contradiction(field, declared_time, element, phrases)
        if contradiction is not None:
            found.append(contradiction)
    return tuple(found)


def _time_contradiction(
    field: str, declared: str | None, element: ElementJudgement, phrases: PolicyPhrases
) -> Contradiction | None:
    if not declared or element.duration is None:
        return None
    declared_durations = phrases.durations.find(declared)
    if not declared_durations:
        return None
    promised = max(declared_durations, key=lambda d: d.hours)
    published = element.duration
    if abs(published.hours - promised.hours) < 0.01 * promised.hours:
        return None
    quote = next((q for q in element.quotes if published.text in q.text), element.quotes[0] if element.quotes else None)
    return Contradiction(field, declared, published.text, quote, weaker=published.hours > promised.hours)


def _normal_contact(value: str) -> str:
    value = value.strip().lower()
    value = value.removeprefix("mailto:")
    return value.rstrip("/")
