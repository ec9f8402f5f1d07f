"""One time base for the whole simulator.

States (task, job session, logon idle time) are computed from the monotonic
clock so that no background thread is needed and wall-clock jumps cannot
confuse them. Timestamps shown to clients are the wall-clock equivalent.
"""

from __future__ import annotations

import datetime as _dt
import time

UTC = _dt.timezone.utc


class Clock:
    def __init__(self) -> None:
        self._wall0 = time.time()
        self._mono0 = time.monotonic()

    @staticmethod
    def now() -> float:
        return time.monotonic()

    def wall(self, mono: float) -> float:
        return self._wall0 + (mono - self._mono0)

    def mono(self, wall: float) -> float:
        return self._mono0 + (wall - self._wall0)

    def utc(self, mono: float) -> _dt.datetime:
        return _dt.datetime.fromtimestamp(self.wall(mono), UTC)


def fmt_utc(dt: _dt.datetime) -> str:
    """ISO-8601 UTC with 'Z' and fractional seconds, as in the 2025 samples
    (em_api.md §10: "2025-08-15T20:00:24.003406Z")."""
    return dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def fmt_utc_whole(dt: _dt.datetime) -> str:
    """NextRun in the samples has whole seconds: "2020-02-01T17:00:00Z"."""
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def fmt_session_name_time(dt: _dt.datetime) -> str:
    """Session names: "<JobName>@<yyyy-MM-dd HH:mm:ss.ffffff>" (em_api.md §8)."""
    return dt.strftime("%Y-%m-%d %H:%M:%S.%f")


def fmt_session_name_wall(wall: float) -> str:
    """fmt_session_name_time of an epoch time, without building a datetime: deep generated
    history names a few hundred thousand sessions at start-up."""
    whole = int(wall // 1)
    micro = int((wall - whole) * 1e6 + 0.5)
    if micro >= 1_000_000:
        whole, micro = whole + 1, micro - 1_000_000
    t = time.gmtime(whole)
    return "%04d-%02d-%02d %02d:%02d:%02d.%06d" % (t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, micro)


def parse_utc(text: str) -> float:
    """Parse a filter DateTime value to epoch seconds; raise ValueError."""
    t = text.strip()
    if t.endswith(("Z", "z")):
        t = t[:-1] + "+00:00"
    # Python 3.11 fromisoformat accepts 1-6 fractional digits; trim longer
    # .NET-style 7-digit fractions.
    if "." in t:
        head, _dot, frac = t.partition(".")
        digits = ""
        rest = ""
        for i, ch in enumerate(frac):
            if not ch.isdigit():
                rest = frac[i:]
                break
            digits += ch
        t = f"{head}.{digits[:6]}{rest}" if digits else head + rest
    dt = _dt.datetime.fromisoformat(t)
    if dt.tzinfo is None:
        # The docs say EM "accept[s] only UTC-formatted DateTime values"; a value
        # without offset is read as UTC.
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()
