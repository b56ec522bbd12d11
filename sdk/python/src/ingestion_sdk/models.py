"""The API's resources as dataclasses. Field names are the JSON names in snake_case; each class
names its schema in the OpenAPI document (``SCHEMA``), and tests/test_openapi.py checks that the
fields are exactly the schema's properties, so the SDK cannot drift from the API."""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any, ClassVar, Dict, List, Optional, Type, TypeVar

T = TypeVar("T", bound="Model")

FINAL_RUN_STATUSES = ("succeeded", "failed", "quality_failed", "cancelled")


def snake_case(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def camel_case(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


class Model:
    """Reads a JSON object: known keys become fields (nested models too), unknown keys are kept
    in ``extra`` so a newer portal never breaks an older SDK."""

    SCHEMA: ClassVar[str]
    NESTED: ClassVar[Dict[str, Type["Model"]]] = {}

    @classmethod
    def from_json(cls: Type[T], data: Dict[str, Any]) -> T:
        names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        values: Dict[str, Any] = {}
        extra: Dict[str, Any] = {}
        for key, value in data.items():
            name = snake_case(key)
            if name == "extra" or name not in names:
                extra[key] = value
                continue
            nested = cls.NESTED.get(name)
            if nested is not None and isinstance(value, list):
                value = [nested.from_json(v) for v in value]
            elif nested is not None and isinstance(value, dict):
                value = nested.from_json(value)
            values[name] = value
        if "extra" in names:
            values["extra"] = extra
        return cls(**values)  # type: ignore[call-arg]


@dataclass(frozen=True)
class Organization(Model):
    SCHEMA = "Organization"

    id: str
    name: str
    cost_center: str
    environment: str
    owner_group: str
    engine: str
    roles: List[str]
    quotas: Dict[str, Any]
    usage: Dict[str, Any]
    budget: Optional[Dict[str, Any]] = None
    extra: Dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class Pipeline(Model):
    SCHEMA = "Pipeline"

    id: str
    organization: str
    name: str
    owner: str
    pipeline_type: str
    engine: str
    current_version: int
    created_at: str
    created_by: str
    updated_at: str
    updated_by: str
    description: Optional[str] = None
    schedule: Optional[str] = None
    schedule_timezone: Optional[str] = None
    deployment: Optional[Dict[str, Any]] = None
    extra: Dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class PipelineDetails(Model):
    """A pipeline with the spec of its current version."""

    SCHEMA = "PipelineDetails"

    id: str
    organization: str
    name: str
    owner: str
    pipeline_type: str
    engine: str
    current_version: int
    created_at: str
    created_by: str
    updated_at: str
    updated_by: str
    spec: Dict[str, Any]
    description: Optional[str] = None
    schedule: Optional[str] = None
    schedule_timezone: Optional[str] = None
    deployment: Optional[Dict[str, Any]] = None
    extra: Dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class PipelineVersion(Model):
    SCHEMA = "PipelineVersion"

    pipeline_id: str
    version: int
    spec_hash: str
    created_at: str
    created_by: str
    spec: Optional[Dict[str, Any]] = None
    comment: Optional[str] = None
    restored_from_version: Optional[int] = None
    extra: Dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class Run(Model):
    SCHEMA = "Run"

    id: str
    organization: str
    pipeline_id: str
    pipeline_version: int
    engine: str
    status: str
    trigger: str
    triggered_by: str
    queued_at: str
    attempt: int
    submitted_at: Optional[str] = None
    started_at: Optional[str] = None
    finished_at: Optional[str] = None
    rows_read: Optional[int] = None
    rows_written: Optional[int] = None
    bytes_written: Optional[int] = None
    duration_ms: Optional[int] = None
    dbus: Optional[float] = None
    cost: Optional[float] = None
    engine_run_id: Optional[str] = None
    error_message: Optional[str] = None
    watermark_in: Optional[str] = None
    watermark_out: Optional[str] = None
    extra: Dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_RUN_STATUSES

    @property
    def succeeded(self) -> bool:
        return self.status == "succeeded"


@dataclass(frozen=True)
class RunEvent(Model):
    SCHEMA = "RunEvent"

    id: str
    at: str
    kind: str
    level: str
    message: str
    status: Optional[str] = None
    extra: Dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class Table(Model):
    SCHEMA = "Table"

    id: str
    organization: str
    format: str
    owner: str
    created_at: str
    updated_at: str
    identifier: Optional[str] = None
    location: Optional[str] = None
    pipeline_id: Optional[str] = None
    classification: Optional[str] = None
    pii_columns: Optional[List[str]] = None
    schema: Optional[Dict[str, Any]] = None
    row_count: Optional[int] = None
    size_bytes: Optional[int] = None
    extra: Dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class LineageNode(Model):
    SCHEMA = "LineageGraphDetails/properties/nodes/items"

    id: str
    kind: str
    name: str
    entity_ref: str
    depth: int
    pipeline_id: Optional[str] = None
    dataset_ref: Optional[str] = None
    last_run: Optional[Dict[str, Any]] = None
    updated_at: Optional[str] = None
    extra: Dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class LineageGraph(Model):
    """Table and column lineage (``GET /v1/lineage/graph``); edges are ``{"from", "to"}``."""

    SCHEMA = "LineageGraphDetails"
    NESTED = {"nodes": LineageNode}

    root: str
    nodes: List[LineageNode]
    edges: List[Dict[str, str]]
    truncated: bool
    hidden: Optional[List[Dict[str, Any]]] = None
    column_edges: Optional[List[Dict[str, Any]]] = None
    column_lineage: Optional[List[Dict[str, Any]]] = None
    extra: Dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class CostGroup(Model):
    SCHEMA = "CostReport/properties/groups/items"

    key: str
    amount: float
    quantity: float
    extra: Dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class CostReport(Model):
    """Costs in ``currency`` (USD unless configured otherwise), grouped by ``group_by``."""

    SCHEMA = "CostReport"
    NESTED = {"groups": CostGroup}

    organization: str
    currency: str
    group_by: str
    total: float
    groups: List[CostGroup]
    budget: Optional[Dict[str, float]] = None
    extra: Dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class ChargebackLine(Model):
    SCHEMA = "Chargeback/properties/lines/items"

    service_type: str
    unit: str
    quantity: float
    amount: float
    pipeline_id: Optional[str] = None
    pipeline_name: Optional[str] = None
    extra: Dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class Chargeback(Model):
    """A month's chargeback statement of an organization's cost center."""

    SCHEMA = "Chargeback"
    NESTED = {"lines": ChargebackLine}

    organization: str
    cost_center: str
    month: str
    currency: str
    total: float
    lines: List[ChargebackLine]
    extra: Dict[str, Any] = field(default_factory=dict, repr=False)


ALL_MODELS: List[Type[Model]] = [
    Organization,
    Pipeline,
    PipelineDetails,
    PipelineVersion,
    Run,
    RunEvent,
    Table,
    LineageNode,
    LineageGraph,
    CostGroup,
    CostReport,
    ChargebackLine,
    Chargeback,
]
