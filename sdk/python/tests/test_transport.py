"""The client's transport against a local stub server: headers, pages, errors, retries, wait()."""
from __future__ import annotations

import unittest
from typing import Any, Dict, List

from ingestion_sdk import (
    IngestionClient,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    RunTimeoutError,
    ServerError,
    ValidationError,
)

from .stub_server import StubServer

PIPELINE = {
    "id": "p1",
    "organization": "finance",
    "name": "daily",
    "owner": "group:default/finance",
    "pipelineType": "batch",
    "engine": "local",
    "currentVersion": 2,
    "createdAt": "2026-12-01T00:00:00Z",
    "createdBy": "user:default/a",
    "updatedAt": "2026-12-02T00:00:00Z",
    "updatedBy": "user:default/a",
    "somethingNew": True,
}


def run(status: str, **extra: Any) -> Dict[str, Any]:
    return {
        "id": "r1",
        "organization": "finance",
        "pipelineId": "p1",
        "pipelineVersion": 2,
        "engine": "local",
        "status": status,
        "trigger": "api",
        "triggeredBy": "user:default/a",
        "queuedAt": "2026-12-02T00:00:00Z",
        "attempt": 1,
        **extra,
    }


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: List[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


class TransportTest(unittest.TestCase):
    def setUp(self) -> None:
        self.stub = StubServer().__enter__()
        self.addCleanup(self.stub.__exit__)
        self.time = FakeClock()
        self.client = IngestionClient(
            self.stub.url, "tok", sleep=self.time.sleep, clock=self.time.clock
        )

    def test_sends_the_token_and_reads_models_keeping_unknown_fields(self) -> None:
        self.stub.on("GET", "/v1/pipelines/p1", (200, {**PIPELINE, "spec": {"version": 1}}, {}))
        pipeline = self.client.pipeline("p1")
        self.assertEqual(self.stub.requests[0].headers["Authorization"], "Bearer tok")
        self.assertEqual(pipeline.current_version, 2)
        self.assertEqual(pipeline.spec, {"version": 1})
        self.assertEqual(pipeline.extra, {"somethingNew": True})

    def test_pages_are_iterators_following_next_cursor(self) -> None:
        self.stub.on(
            "GET",
            "/v1/pipelines",
            (200, {"items": [PIPELINE], "nextCursor": "c2"}, {}),
            (200, {"items": [{**PIPELINE, "id": "p2"}]}, {}),
        )
        pages = self.client.pipelines("finance", search="dai")
        self.assertEqual(self.stub.requests, [])  # lazy: nothing fetched yet
        self.assertEqual([p.id for p in pages], ["p1", "p2"])
        first, second = self.stub.requests
        self.assertEqual(first.query, {"organization": "finance", "q": "dai", "limit": "100"})
        self.assertEqual(second.query["cursor"], "c2")

    def test_400_raises_validation_error_with_field_paths(self) -> None:
        self.stub.on(
            "POST",
            "/v1/pipelines",
            (
                400,
                {
                    "error": {"name": "InputError", "message": "2 problems in spec"},
                    "problems": [
                        {"path": "target.table", "message": "`table` is required"},
                        {"path": "schedule.cron", "message": "not a cron expression"},
                    ],
                },
                {},
            ),
        )
        with self.assertRaises(ValidationError) as caught:
            self.client.create_pipeline("finance", "daily", "pipeline_type: batch\n")
        error = caught.exception
        self.assertEqual(error.status, 400)
        self.assertEqual([p.path for p in error.problems], ["target.table", "schedule.cron"])
        self.assertIn("target.table: `table` is required", str(error))
        self.assertEqual(
            self.stub.requests[0].body,
            {"organization": "finance", "name": "daily", "spec": "pipeline_type: batch\n"},
        )

    def test_status_codes_map_to_exceptions(self) -> None:
        self.stub.on("GET", "/v1/runs/r404", (404, {"error": {"name": "NotFoundError", "message": "Run 'r404' not found"}}, {}))
        self.stub.on("POST", "/v1/runs/r403/cancel", (403, {"error": {"name": "NotAllowedError", "message": "denied"}}, {}))
        with self.assertRaises(NotFoundError) as not_found:
            self.client.run("r404")
        self.assertEqual(not_found.exception.message, "Run 'r404' not found")
        with self.assertRaises(PermissionDeniedError):
            self.client.cancel_run("r403")

    def test_reads_retry_after_429_and_writes_do_not(self) -> None:
        self.stub.on(
            "GET",
            "/v1/runs/r1",
            (429, {"error": {"name": "Error", "message": "rate limited"}}, {"Retry-After": "7"}),
            (200, run("running"), {}),
        )
        self.assertEqual(self.client.run("r1").status, "running")
        self.assertEqual(self.time.sleeps, [7.0])
        self.stub.on("POST", "/v1/pipelines/p1/runs", (429, {"error": {"name": "Error", "message": "quota"}}, {"Retry-After": "3"}))
        with self.assertRaises(RateLimitedError) as caught:
            self.client.trigger_run("p1")
        self.assertEqual(caught.exception.retry_after, 3.0)
        self.assertEqual(len([r for r in self.stub.requests if r.method == "POST"]), 1)

    def test_unreachable_portal_is_a_server_error(self) -> None:
        client = IngestionClient("http://127.0.0.1:9", "tok")
        with self.assertRaises(ServerError) as caught:
            client.run("r1")
        self.assertEqual(caught.exception.status, 0)

    def test_wait_polls_with_backoff_until_final(self) -> None:
        self.stub.on(
            "GET",
            "/v1/runs/r1",
            (200, run("queued"), {}),
            (200, run("running"), {}),
            (200, run("running"), {}),
            (200, run("succeeded", rowsWritten=10), {}),
        )
        final = self.client.wait("r1", initial_delay=1, factor=2, max_delay=3)
        self.assertTrue(final.succeeded)
        self.assertEqual(final.rows_written, 10)
        self.assertEqual(len(self.time.sleeps), 3)
        for slept, expected in zip(self.time.sleeps, [1, 2, 3]):
            self.assertGreaterEqual(slept, expected)
            self.assertLessEqual(slept, expected * 1.1)

    def test_wait_gives_up_after_the_timeout(self) -> None:
        self.stub.on("GET", "/v1/runs/r1", (200, run("running"), {}))
        with self.assertRaises(RunTimeoutError) as caught:
            self.client.wait("r1", timeout=10, initial_delay=4, factor=1)
        self.assertEqual(caught.exception.run.status, "running")
        self.assertLessEqual(sum(self.time.sleeps), 10)

    def test_trigger_lineage_costs_and_csv(self) -> None:
        self.stub.on("POST", "/v1/pipelines/p1/runs", (202, run("queued"), {}))
        self.assertEqual(self.client.trigger_run("p1", full_refresh=True).status, "queued")
        self.assertEqual(self.stub.requests[-1].body, {"fullRefresh": True})

        self.stub.on(
            "GET",
            "/v1/lineage/graph",
            (200, {"root": "pipeline:p1", "truncated": False, "edges": [{"from": "a", "to": "b"}],
                   "nodes": [{"id": "a", "kind": "mysql-table", "name": "t", "entityRef": "resource:x", "depth": 1}]}, {}),
        )
        graph = self.client.lineage("finance", dataset="iceberg:c.n.t", column="amount")
        self.assertEqual(graph.nodes[0].entity_ref, "resource:x")
        self.assertEqual(
            self.stub.requests[-1].query,
            {"organization": "finance", "dataset": "iceberg:c.n.t", "column": "amount", "depth": "3", "direction": "both"},
        )

        self.stub.on(
            "GET",
            "/v1/costs",
            (200, {"organization": "finance", "currency": "USD", "groupBy": "pipeline", "total": 3.5,
                   "groups": [{"key": "p1", "amount": 3.5, "quantity": 2}]}, {}),
        )
        report = self.client.costs("finance", from_month="2026-12", to_month="2026-12")
        self.assertEqual(report.groups[0].amount, 3.5)
        self.assertEqual(self.stub.requests[-1].query["from"], "2026-12")

        self.stub.on("GET", "/v1/costs/chargeback", (200, "service_type,amount\ncompute,3.50\n", {}))
        self.assertTrue(self.client.chargeback_csv("finance", "2026-12").startswith("service_type"))
        self.assertEqual(self.stub.requests[-1].query["format"], "csv")


if __name__ == "__main__":
    unittest.main()
