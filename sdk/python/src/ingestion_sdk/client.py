"""The client: one method per API operation, over urllib (standard library only)."""
from __future__ import annotations

import json
import random
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import (
    Any,
    Callable,
    Dict,
    Iterator,
    List,
    Optional,
    Tuple,
    Type,
    TypeVar,
    Union,
)

from .errors import IngestionError, RateLimitedError, RunTimeoutError, ServerError, error_for
from .models import (
    Chargeback,
    CostReport,
    LineageGraph,
    Model,
    Organization,
    Pipeline,
    PipelineDetails,
    PipelineVersion,
    Run,
    RunEvent,
    Table,
)

M = TypeVar("M", bound=Model)
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Endpoint:
    """The operation a method calls, checked against the OpenAPI document by the tests."""

    method: str
    path: str
    returns: Optional[Type[Model]] = None
    #: The response is a page ``{items, nextCursor}`` of ``returns``.
    page: bool = False
    #: Query parameters the method may send.
    query: Tuple[str, ...] = ()
    #: Body fields the method may send.
    body: Tuple[str, ...] = ()


def endpoint(method: str, path: str, **options: Any) -> Callable[[F], F]:
    def mark(fn: F) -> F:
        fn.endpoint = Endpoint(method, path, **options)  # type: ignore[attr-defined]
        return fn

    return mark


def endpoints() -> Dict[str, Endpoint]:
    """Every method of the client and its operation."""
    return {
        name: fn.endpoint
        for name, fn in vars(IngestionClient).items()
        if hasattr(fn, "endpoint")
    }


class IngestionClient:
    """A client of ``<base_url>/api/ingestion/v1`` with a Backstage token.

    >>> client = IngestionClient("https://portal.example.com", token)
    >>> for pipeline in client.pipelines(organization="finance"):
    ...     print(pipeline.name, pipeline.current_version)
    """

    def __init__(
        self,
        base_url: str,
        token: Optional[str] = None,
        *,
        timeout: float = 30.0,
        retries: int = 3,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.retries = retries
        self._sleep = sleep
        self._clock = clock

    # Transport ---------------------------------------------------------------------------

    def _url(self, path: str, query: Optional[Dict[str, Any]] = None) -> str:
        url = f"{self.base_url}/api/ingestion{path}"
        params = {
            k: ("true" if v is True else "false" if v is False else str(v))
            for k, v in (query or {}).items()
            if v is not None
        }
        return f"{url}?{urllib.parse.urlencode(params)}" if params else url

    def request(
        self,
        method: str,
        path: str,
        *,
        query: Optional[Dict[str, Any]] = None,
        body: Optional[Dict[str, Any]] = None,
        text: bool = False,
    ) -> Any:
        """One call; 429 and 503 answers to reads are retried after their Retry-After."""
        data = None if body is None else json.dumps(body).encode("utf-8")
        headers = {"Accept": "text/csv" if text else "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        attempt = 0
        while True:
            attempt += 1
            req = urllib.request.Request(
                self._url(path, query), data=data, headers=headers, method=method
            )
            try:
                with urllib.request.urlopen(req, timeout=self.timeout) as response:
                    payload = response.read().decode("utf-8")
                    if text:
                        return payload
                    return json.loads(payload) if payload else None
            except urllib.error.HTTPError as http_error:
                error = self._error(http_error)
            except (urllib.error.URLError, OSError) as reason:
                raise ServerError(0, f"cannot reach {self.base_url}: {reason}") from None
            retryable = isinstance(error, RateLimitedError) or error.status == 503
            if method != "GET" or not retryable or attempt > self.retries:
                raise error
            self._sleep(error.retry_after if error.retry_after is not None else 2.0**attempt)

    @staticmethod
    def _error(http_error: urllib.error.HTTPError) -> IngestionError:
        raw = http_error.read().decode("utf-8", errors="replace")
        try:
            body: Any = json.loads(raw)
        except ValueError:
            body = raw
        retry_after: Optional[float] = None
        header = http_error.headers.get("Retry-After") if http_error.headers else None
        if header:
            try:
                retry_after = float(header)
            except ValueError:
                retry_after = None
        return error_for(http_error.code, body, retry_after)

    def _get(self, model: Type[M], path: str, query: Optional[Dict[str, Any]] = None) -> M:
        return model.from_json(self.request("GET", path, query=query))

    def _pages(
        self, model: Type[M], path: str, query: Optional[Dict[str, Any]] = None, page_size: int = 100
    ) -> Iterator[M]:
        """Every item of a list, fetching page after page as the iterator advances."""
        cursor: Optional[str] = None
        while True:
            page = self.request(
                "GET", path, query={**(query or {}), "limit": page_size, "cursor": cursor}
            )
            for item in page["items"]:
                yield model.from_json(item)
            cursor = page.get("nextCursor")
            if not cursor:
                return

    # Organizations -----------------------------------------------------------------------

    @endpoint("GET", "/v1/organizations", returns=Organization, page=True)
    def organizations(self) -> List[Organization]:
        """The caller's organizations with their roles, quotas and usage."""
        return [Organization.from_json(o) for o in self.request("GET", "/v1/organizations")["items"]]

    # Pipelines ---------------------------------------------------------------------------

    @endpoint("GET", "/v1/pipelines", returns=Pipeline, page=True, query=("organization", "q", "limit", "cursor"))
    def pipelines(
        self, organization: Optional[str] = None, *, search: Optional[str] = None, page_size: int = 100
    ) -> Iterator[Pipeline]:
        """The pipelines the caller may read, newest change first, fetched ``page_size`` at a time."""
        return self._pages(
            Pipeline, "/v1/pipelines", {"organization": organization, "q": search}, page_size
        )

    @endpoint("GET", "/v1/pipelines/{pipelineId}", returns=PipelineDetails)
    def pipeline(self, pipeline_id: str) -> PipelineDetails:
        return self._get(PipelineDetails, f"/v1/pipelines/{_seg(pipeline_id)}")

    @endpoint(
        "POST",
        "/v1/pipelines",
        returns=PipelineDetails,
        body=("organization", "name", "spec", "description", "owner", "comment"),
    )
    def create_pipeline(
        self,
        organization: str,
        name: str,
        spec: Union[Dict[str, Any], str],
        *,
        description: Optional[str] = None,
        owner: Optional[str] = None,
        comment: Optional[str] = None,
    ) -> PipelineDetails:
        """Creates a pipeline with its first version; the spec as a dict or YAML text."""
        body = _without_none(
            organization=organization, name=name, spec=spec, description=description, owner=owner, comment=comment
        )
        return PipelineDetails.from_json(self.request("POST", "/v1/pipelines", body=body))

    @endpoint(
        "PUT",
        "/v1/pipelines/{pipelineId}",
        returns=PipelineDetails,
        body=("spec", "expectedVersion", "description", "owner", "comment"),
    )
    def update_pipeline(
        self,
        pipeline_id: str,
        spec: Union[Dict[str, Any], str],
        expected_version: int,
        *,
        comment: Optional[str] = None,
    ) -> PipelineDetails:
        """Saves a new version; ``ConflictError`` when the current version is not ``expected_version``."""
        body = _without_none(spec=spec, expectedVersion=expected_version, comment=comment)
        return PipelineDetails.from_json(
            self.request("PUT", f"/v1/pipelines/{_seg(pipeline_id)}", body=body)
        )

    @endpoint("DELETE", "/v1/pipelines/{pipelineId}")
    def delete_pipeline(self, pipeline_id: str) -> None:
        self.request("DELETE", f"/v1/pipelines/{_seg(pipeline_id)}")

    @endpoint(
        "GET",
        "/v1/pipelines/{pipelineId}/versions",
        returns=PipelineVersion,
        page=True,
        query=("limit", "cursor"),
    )
    def versions(self, pipeline_id: str) -> Iterator[PipelineVersion]:
        """The pipeline's versions, newest first."""
        return self._pages(PipelineVersion, f"/v1/pipelines/{_seg(pipeline_id)}/versions")

    @endpoint(
        "POST",
        "/v1/pipelines/{pipelineId}/rollback",
        returns=PipelineDetails,
        body=("version", "expectedVersion", "comment"),
    )
    def rollback(self, pipeline_id: str, version: int, *, comment: Optional[str] = None) -> PipelineDetails:
        """Saves a new version equal to ``version``."""
        body = _without_none(version=version, comment=comment)
        return PipelineDetails.from_json(
            self.request("POST", f"/v1/pipelines/{_seg(pipeline_id)}/rollback", body=body)
        )

    @endpoint("POST", "/v1/specs/validate", body=("spec", "organization"))
    def validate_spec(
        self, spec: Union[Dict[str, Any], str], organization: Optional[str] = None
    ) -> Dict[str, Any]:
        """The normalised spec; ``ValidationError`` with every problem's path when invalid."""
        body = _without_none(spec=spec, organization=organization)
        return self.request("POST", "/v1/specs/validate", body=body)["spec"]

    # Runs --------------------------------------------------------------------------------

    @endpoint("POST", "/v1/pipelines/{pipelineId}/runs", returns=Run, body=("watermark", "fullRefresh"))
    def trigger_run(
        self, pipeline_id: str, *, full_refresh: bool = False, watermark: Optional[str] = None
    ) -> Run:
        """Queues a run of the pipeline's current version."""
        body = _without_none(fullRefresh=True if full_refresh else None, watermark=watermark)
        return Run.from_json(self.request("POST", f"/v1/pipelines/{_seg(pipeline_id)}/runs", body=body))

    @endpoint(
        "GET",
        "/v1/pipelines/{pipelineId}/runs",
        returns=Run,
        page=True,
        query=("status", "limit", "cursor"),
    )
    def runs(self, pipeline_id: str, *, status: Optional[str] = None) -> Iterator[Run]:
        """The pipeline's runs, newest first."""
        return self._pages(Run, f"/v1/pipelines/{_seg(pipeline_id)}/runs", {"status": status})

    @endpoint("GET", "/v1/runs/{runId}", returns=Run)
    def run(self, run_id: str) -> Run:
        return self._get(Run, f"/v1/runs/{_seg(run_id)}")

    @endpoint("GET", "/v1/runs/{runId}/logs", returns=RunEvent, page=True, query=("limit", "cursor"))
    def run_logs(self, run_id: str) -> Iterator[RunEvent]:
        """The run's state changes and log lines, oldest first."""
        return self._pages(RunEvent, f"/v1/runs/{_seg(run_id)}/logs")

    @endpoint("POST", "/v1/runs/{runId}/cancel", returns=Run)
    def cancel_run(self, run_id: str) -> Run:
        return Run.from_json(self.request("POST", f"/v1/runs/{_seg(run_id)}/cancel"))

    def wait(
        self,
        run: Union[Run, str],
        *,
        timeout: float = 3600.0,
        initial_delay: float = 1.0,
        max_delay: float = 30.0,
        factor: float = 2.0,
    ) -> Run:
        """Polls the run until it is final, waiting ``initial_delay`` seconds, then ``factor``
        times longer each time up to ``max_delay`` (with a little jitter). Returns the final run
        (check ``run.succeeded``); ``RunTimeoutError`` after ``timeout`` seconds."""
        run_id = run.id if isinstance(run, Run) else run
        deadline = self._clock() + timeout
        delay = initial_delay
        while True:
            current = self.run(run_id)
            if current.is_final:
                return current
            remaining = deadline - self._clock()
            if remaining <= 0:
                raise RunTimeoutError(current, timeout)
            self._sleep(min(delay * (1 + random.uniform(0, 0.1)), remaining))
            delay = min(delay * factor, max_delay)

    # Tables and lineage ------------------------------------------------------------------

    @endpoint(
        "GET",
        "/v1/tables",
        returns=Table,
        page=True,
        query=("organization", "pipelineId", "limit", "cursor"),
    )
    def tables(self, organization: Optional[str] = None, *, pipeline_id: Optional[str] = None) -> Iterator[Table]:
        return self._pages(Table, "/v1/tables", {"organization": organization, "pipelineId": pipeline_id})

    @endpoint("GET", "/v1/tables/{tableId}", returns=Table)
    def table(self, table_id: str) -> Table:
        """A table with its schema."""
        return self._get(Table, f"/v1/tables/{_seg(table_id)}")

    @endpoint(
        "GET",
        "/v1/lineage/graph",
        returns=LineageGraph,
        query=("organization", "pipelineId", "dataset", "column", "columns", "depth", "direction"),
    )
    def lineage(
        self,
        organization: str,
        *,
        pipeline_id: Optional[str] = None,
        dataset: Optional[str] = None,
        column: Optional[str] = None,
        columns: bool = False,
        depth: int = 3,
        direction: str = "both",
    ) -> LineageGraph:
        """Lineage of a pipeline or of a dataset (``iceberg:catalog.namespace.table``)."""
        return self._get(
            LineageGraph,
            "/v1/lineage/graph",
            {
                "organization": organization,
                "pipelineId": pipeline_id,
                "dataset": dataset,
                "column": column,
                "columns": True if columns else None,
                "depth": depth,
                "direction": direction,
            },
        )

    # Costs -------------------------------------------------------------------------------

    @endpoint("GET", "/v1/costs", returns=CostReport, query=("organization", "groupBy", "from", "to"))
    def costs(
        self,
        organization: str,
        *,
        group_by: str = "pipeline",
        from_month: Optional[str] = None,
        to_month: Optional[str] = None,
    ) -> CostReport:
        """Costs grouped by pipeline, serviceType, period, costCenter or environment (months YYYY-MM)."""
        return self._get(
            CostReport,
            "/v1/costs",
            {"organization": organization, "groupBy": group_by, "from": from_month, "to": to_month},
        )

    @endpoint("GET", "/v1/costs/chargeback", returns=Chargeback, query=("organization", "month", "format"))
    def chargeback(self, organization: str, month: str) -> Chargeback:
        """The month's (YYYY-MM) chargeback statement."""
        return self._get(Chargeback, "/v1/costs/chargeback", {"organization": organization, "month": month})

    def chargeback_csv(self, organization: str, month: str) -> str:
        """The same statement as CSV text."""
        return self.request(
            "GET",
            "/v1/costs/chargeback",
            query={"organization": organization, "month": month, "format": "csv"},
            text=True,
        )


def _seg(value: str) -> str:
    return urllib.parse.quote(str(value), safe="")


def _without_none(**values: Any) -> Dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}
