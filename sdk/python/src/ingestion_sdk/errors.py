"""Errors of the ingestion API as exceptions, with the HTTP status and the field paths."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, List, Optional


@dataclass(frozen=True)
class FieldProblem:
    """One problem the API reports, e.g. ``target.table: `table` is required``."""

    SCHEMA = "Problem"

    path: str
    message: str


class IngestionError(Exception):
    """A non-2xx answer of the API (or the portal could not be reached: ``status`` 0)."""

    def __init__(
        self,
        status: int,
        message: str,
        problems: Optional[List[FieldProblem]] = None,
        retry_after: Optional[float] = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.problems: List[FieldProblem] = problems or []
        self.retry_after = retry_after

    def __str__(self) -> str:
        text = f"{self.message} (HTTP {self.status})" if self.status else self.message
        for problem in self.problems:
            text += f"\n  {problem.path or '(spec)'}: {problem.message}"
        return text


class ValidationError(IngestionError):
    """400: the request or its spec is invalid; ``problems`` names each field."""


class AuthenticationError(IngestionError):
    """401: no token, or an expired one."""


class PermissionDeniedError(IngestionError):
    """403: the caller's roles do not allow it."""


class NotFoundError(IngestionError):
    """404: it does not exist, or belongs to an organization the caller is not a member of."""


class ConflictError(IngestionError):
    """409: e.g. the pipeline changed since it was read (``expected_version``)."""


class RateLimitedError(IngestionError):
    """429: a rate limit or quota; ``retry_after`` says how many seconds to wait."""


class ServerError(IngestionError):
    """5xx, or the portal could not be reached."""


class RunTimeoutError(Exception):
    """``wait()`` gave up before the run ended; ``run`` is its last state."""

    def __init__(self, run: Any, timeout: float) -> None:
        super().__init__(f"run {run.id} still {run.status} after {timeout:g} s")
        self.run = run


_BY_STATUS = {
    400: ValidationError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitedError,
}


def error_for(
    status: int, body: Any, retry_after: Optional[float] = None
) -> IngestionError:
    """The exception of an error answer (Backstage's error body plus ``problems``)."""
    message = f"HTTP {status}"
    problems: List[FieldProblem] = []
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            message = error["message"]
        for problem in body.get("problems") or []:
            if isinstance(problem, dict):
                problems.append(
                    FieldProblem(
                        path=str(problem.get("path", "")),
                        message=str(problem.get("message", "")),
                    )
                )
    elif isinstance(body, str) and body:
        message = f"{message}: {body[:200]}"
    cls = _BY_STATUS.get(status, ServerError if status >= 500 else IngestionError)
    return cls(status, message, problems, retry_after)
