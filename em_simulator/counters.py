"""Thread-safe request and activity counters (contract "Control API")."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any


class Counters:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._requests: Counter[str] = Counter()
            self._total = 0
            self._simple: Counter[str] = Counter()
            self._actions: Counter[str] = Counter()
            self._starts_by_job: Counter[str] = Counter()
            self._actions_by_kind: dict[str, Counter[str]] = {}
            self._starts_by_kind: dict[str, Counter[str]] = {}
            self._faults: Counter[str] = Counter()
            self._quick_backups: Counter[str] = Counter()

    def request(self, method: str, path: str) -> None:
        with self._lock:
            self._requests[f"{method} {path}"] += 1
            self._total += 1

    def bump(self, name: str, n: int = 1) -> None:
        with self._lock:
            self._simple[name] += n

    def action(self, action: str, kind: str = "vm") -> None:
        """`actions` counts every kind together (as it always did); `actions_by_kind` per kind."""
        with self._lock:
            self._actions[action] += 1
            self._actions_by_kind.setdefault(kind, Counter())[action] += 1

    def start(self, job_name: str, kind: str = "vm") -> None:
        with self._lock:
            self._starts_by_job[job_name] += 1
            self._starts_by_kind.setdefault(kind, Counter())[job_name] += 1

    def quick_backup(self, vm_name: str) -> None:
        """A quick backup that started a job session, by VM name."""
        with self._lock:
            self._quick_backups[vm_name] += 1

    def fault(self, kind: str) -> None:
        with self._lock:
            self._faults[kind] += 1

    def snapshot(self, live_sessions: int) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": dict(self._requests),
                "requests_total": self._total,
                "logons": self._simple["logons"],
                "failed_logons": self._simple["failed_logons"],
                "logoffs": self._simple["logoffs"],
                "live_sessions": live_sessions,
                "expired_sessions": self._simple["expired_sessions"],
                "actions": dict(self._actions),
                "starts_by_job": dict(self._starts_by_job),
                "actions_by_kind": {k: dict(v) for k, v in self._actions_by_kind.items()},
                "starts_by_kind": {k: dict(v) for k, v in self._starts_by_kind.items()},
                "faults": dict(self._faults),
                "quick_backups_by_vm": dict(self._quick_backups),
                # Requests to the EM API that carried a Cookie header (http_authentication.md: EM prefers it).
                "requests_with_cookie": self._simple["requests_with_cookie"],
                # Runs that VBR started by itself: POST /_sim/scheduled-run, and its automatic retries of a
                # scheduled run that failed (setting scheduled_retry). Neither is in starts_by_job.
                "scheduled_runs": self._simple["scheduled_runs"],
                "automatic_retries": self._simple["automatic_retries"],
            }
