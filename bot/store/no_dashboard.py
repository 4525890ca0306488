"""The dashboard facts of a backend that does not answer them yet (Cosmos DB): every call is
StoreUnavailable with the reason, so the API answers 503 with a clear message."""

from __future__ import annotations

from typing import NoReturn

from bot.store.port import StoreUnavailable


class NoDashboardFacts:
    def __init__(self, backend: str):
        self.backend = backend

    def close(self) -> None:
        pass

    def _refuse(self, *_args: object) -> NoReturn:
        raise StoreUnavailable(f"the {self.backend} store does not answer the dashboard's worker and quiz "
                               "figures yet; the admin reports (coach report) work on it")

    counts = quiz_passers = stuck_steps = first_attempts = wrong_choices = best_scores = workers = (
        lambda self, *args: self._refuse(*args))
