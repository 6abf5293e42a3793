"""What an endpoint run reports, and the error it raises when a response was unusable."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class IngestResult:
    """Counts of one endpoint run for one poll.

    ``requests``: HTTP responses received (stored in raw). ``raw_rows``: responses newly stored.
    ``loaded``: core rows written (inserted, or clips updated). ``duplicates``: responses already
    stored for this poll + rows already in core + items repeated within the poll (a stream on two
    pages). ``quarantined``: rows stored in ``core.quarantine``. ``failures``: per-channel (or
    per-request) errors that did not stop the run, one message each.
    """

    endpoint: str
    poll_at: datetime
    requests: int = 0
    raw_rows: int = 0
    loaded: int = 0
    duplicates: int = 0
    quarantined: int = 0
    failures: tuple[str, ...] = field(default_factory=tuple)

    def summary(self) -> str:
        text = (
            f"{self.endpoint}: {self.requests} requests, {self.raw_rows} new raw, "
            f"{self.loaded} loaded, {self.duplicates} duplicates, {self.quarantined} quarantined"
        )
        if self.failures:
            text += f", {len(self.failures)} failed"
        return text


class IngestError(Exception):
    """An endpoint run could not complete cleanly (malformed response, API unreachable, ...).

    Raised only *after* everything fetched was stored in raw and every usable row was loaded;
    ``results`` holds the counts of what was done, ``endpoint`` names the failing endpoint.
    """

    def __init__(
        self,
        message: str,
        *,
        endpoint: str,
        results: tuple[IngestResult, ...] = (),
        unreachable: bool = False,
    ) -> None:
        super().__init__(message)
        self.endpoint = endpoint
        self.results = results
        self.unreachable = unreachable  # the API could not be reached at all (connection/timeout)
