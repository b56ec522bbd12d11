"""Checks of the SDK against a real ingestion backend, run by packages/cli/src/pythonSdk.test.ts,
which starts the backend (the real plugin, permission backend and ingestion policy) and passes
INGESTION_URL, INGESTION_TOKENS (user name → token, JSON) and INGESTION_SPEC (a valid spec, JSON).
Not named test_*.py: without that backend it cannot run."""
from __future__ import annotations

import json
import os
import unittest

from ingestion_sdk import (
    IngestionClient,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)

URL = os.environ["INGESTION_URL"]
TOKENS = json.loads(os.environ["INGESTION_TOKENS"])
SPEC = json.loads(os.environ["INGESTION_SPEC"])


def as_user(name: str) -> IngestionClient:
    return IngestionClient(URL, TOKENS[name])


class LiveBackend(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        engineer = as_user("finance-engineer")
        cls.pipelines = [
            engineer.create_pipeline("finance", f"sdk-{i}", {**SPEC, "target": {**SPEC["target"], "table": f"sdk_{i}"}})
            for i in range(3)
        ]

    def test_lists_page_after_page(self) -> None:
        names = [p.name for p in as_user("finance-viewer").pipelines("finance", search="sdk-", page_size=2)]
        self.assertEqual(sorted(names), ["sdk-0", "sdk-1", "sdk-2"])

    def test_invalid_spec_raises_with_field_paths(self) -> None:
        broken = {**SPEC, "target": {k: v for k, v in SPEC["target"].items() if k != "table"}}
        with self.assertRaises(ValidationError) as caught:
            as_user("finance-engineer").create_pipeline("finance", "sdk-broken", broken)
        self.assertIn("target.table", [p.path for p in caught.exception.problems])
        with self.assertRaises(ValidationError):
            as_user("finance-engineer").validate_spec(broken)
        self.assertEqual(as_user("finance-engineer").validate_spec(SPEC)["target"]["table"], SPEC["target"]["table"])

    def test_other_organizations_see_nothing(self) -> None:
        outsider = as_user("retail-admin")
        self.assertEqual(list(outsider.pipelines("finance")), [])
        with self.assertRaises(NotFoundError):
            outsider.pipeline(self.pipelines[0].id)
        with self.assertRaises(NotFoundError):
            outsider.costs("finance")

    def test_versions_and_rollback(self) -> None:
        engineer = as_user("finance-engineer")
        pipeline = self.pipelines[1]
        changed = {**SPEC, "target": {**SPEC["target"], "table": "sdk_1b"}}
        updated = engineer.update_pipeline(pipeline.id, changed, expected_version=1, comment="rename")
        self.assertEqual(updated.current_version, 2)
        restored = engineer.rollback(pipeline.id, 1)
        self.assertEqual(restored.current_version, 3)
        self.assertEqual([v.version for v in engineer.versions(pipeline.id)], [3, 2, 1])

    def test_runs_trigger_denied_cancel_and_wait(self) -> None:
        pipeline = self.pipelines[2]
        with self.assertRaises(PermissionDeniedError):
            as_user("finance-viewer").trigger_run(pipeline.id)
        analyst = as_user("finance-analyst")
        run = analyst.trigger_run(pipeline.id)
        self.assertEqual(run.pipeline_id, pipeline.id)
        analyst.cancel_run(run.id)
        final = analyst.wait(run, timeout=60, initial_delay=0.2, max_delay=1)
        self.assertTrue(final.is_final)
        self.assertFalse(final.succeeded)
        self.assertTrue(any(e.kind == "transition" for e in analyst.run_logs(run.id)))
        self.assertEqual([r.id for r in analyst.runs(pipeline.id)], [run.id])
        with self.assertRaises(NotFoundError):
            as_user("retail-admin").run(run.id)

    def test_tables_lineage_and_costs(self) -> None:
        viewer = as_user("finance-viewer")
        self.assertEqual(list(viewer.tables("finance")), [])
        graph = viewer.lineage("finance", pipeline_id=self.pipelines[0].id)
        self.assertIn(f"pipeline:{self.pipelines[0].id}", [n.id for n in graph.nodes])
        report = as_user("finance-admin").costs("finance", group_by="pipeline")
        self.assertEqual((report.organization, report.currency), ("finance", "USD"))
        statement = as_user("finance-admin").chargeback("finance", "2026-01")
        self.assertEqual(statement.cost_center, "FIN-001")


if __name__ == "__main__":
    unittest.main()
