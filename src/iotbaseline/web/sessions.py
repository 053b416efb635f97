"""Browser sessions, kept in memory: each has a CSRF token that every form it posts must carry, and knows
whether it logged in with the access token. A restart ends every session (users log in again).

The store is bounded: a client that is not logged in can make sessions (it needs one for the login form's
CSRF token), so beyond `MAX_SESSIONS` the oldest session that has not logged in is dropped (a flood of login
pages cannot log anyone out), and sessions expire.
"""

import hmac
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

COOKIE = "iotbaseline_session"
CSRF_FIELD = "csrf_token"
MAX_SESSIONS = 2000
LIFETIME_SECONDS = 12 * 3600.0


@dataclass(frozen=True)
class Session:
    id: str
    csrf: str
    authenticated: bool
    """Logged in with the token (a loopback client's session need not be)."""
    created: float

    def csrf_matches(self, submitted: str | None) -> bool:
        return submitted is not None and hmac.compare_digest(submitted.encode(), self.csrf.encode())


class SessionStore:
    def __init__(self, max_sessions: int = MAX_SESSIONS, lifetime: float = LIFETIME_SECONDS) -> None:
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._lock = threading.Lock()
        self._max = max_sessions
        self._lifetime = lifetime

    def get(self, session_id: str | None) -> Session | None:
        if not session_id:
            return None
        with self._lock:
            session = self._sessions.get(session_id)
            if session is None:
                return None
            if time.monotonic() - session.created > self._lifetime:
                del self._sessions[session_id]
                return None
            return session

    def new(self, authenticated: bool) -> Session:
        session = Session(secrets.token_urlsafe(32), secrets.token_urlsafe(32), authenticated, time.monotonic())
        with self._lock:
            self._sessions[session.id] = session
            while len(self._sessions) > self._max:
                oldest = next((key for key, kept in self._sessions.items() if not kept.authenticated), None)
                if oldest is None:
                    self._sessions.popitem(last=False)
                else:
                    del self._sessions[oldest]
        return session

    def end(self, session_id: str) -> None:
        with self._lock:
            self._sessions.pop(session_id, None)


def cookie_header(session: Session, secure: bool) -> str:
    """HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it)."""
    flags = "; Secure" if secure else ""
    return f"{COOKIE}={session.id}; Path=/; HttpOnly; SameSite=Strict; Max-Age={int(LIFETIME_SECONDS)}{flags}"


def ended_cookie_header(secure: bool) -> str:
    flags = "; Secure" if secure else ""
    return f"{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{flags}"
