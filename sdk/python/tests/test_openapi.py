"""The SDK against the OpenAPI document of the backend: every method's operation exists with the
method, path, parameters and body fields it uses, and every dataclass has exactly the fields of
its schema (required ones without a default). A change of the API fails here until the SDK
follows it."""
from __future__ import annotations

import dataclasses
import json
import os
import unittest
from pathlib import Path
from typing import Any, Dict, Set

from ingestion_sdk import endpoints
from ingestion_sdk.errors import FieldProblem
from ingestion_sdk.models import ALL_MODELS, camel_case

REPO = Path(__file__).resolve().parents[3]
# The backend serves openapi.yaml; openapi.generated.ts is the same document as JSON (the
# backend's tests keep the two in sync), which the standard library can read.
OPENAPI = Path(
    os.environ.get(
        "INGESTION_OPENAPI",
        REPO / "plugins/ingestion-backend/src/schema/openapi.generated.ts",
    )
)


def load_document() -> Dict[str, Any]:
    text = OPENAPI.read_text(encoding="utf-8")
    if OPENAPI.suffix == ".json":
        return json.loads(text)
    start = text.index("export const spec = ") + len("export const spec = ")
    return json.loads(text[start : text.rindex(" as const;")])


DOCUMENT = load_document()


def resolve(node: Dict[str, Any]) -> Dict[str, Any]:
    while "$ref" in node:
        node = pointer(node["$ref"].lstrip("#/"))
    return node


def pointer(path: str) -> Dict[str, Any]:
    node: Any = DOCUMENT
    for part in path.split("/"):
        node = node[part]
    return node


def schema_of(name: str) -> Dict[str, Any]:
    return resolve(pointer(f"components/schemas/{name}"))


def properties(schema: Dict[str, Any]) -> Dict[str, Set[str]]:
    """``{"all": …, "required": …}`` of an object schema, through ``allOf``."""
    schema = resolve(schema)
    names: Set[str] = set(schema.get("properties", {}))
    required: Set[str] = set(schema.get("required", []))
    for part in schema.get("allOf", []):
        sub = properties(part)
        names |= sub["all"]
        required |= sub["required"]
    return {"all": names, "required": required}


class ModelsMatchSchemas(unittest.TestCase):
    def test_every_model_has_exactly_its_schema_fields(self) -> None:
        for model in [*ALL_MODELS, FieldProblem]:
            with self.subTest(model=model.__name__):
                props = properties(schema_of(model.SCHEMA))
                fields = {
                    f.name: f for f in dataclasses.fields(model) if f.name != "extra"
                }
                self.assertEqual(
                    {camel_case(name) for name in fields},
                    props["all"],
                    f"{model.__name__} fields differ from schema {model.SCHEMA}",
                )
                for name, field in fields.items():
                    has_default = (
                        field.default is not dataclasses.MISSING
                        or field.default_factory is not dataclasses.MISSING
                    )
                    self.assertEqual(
                        not has_default,
                        camel_case(name) in props["required"],
                        f"{model.__name__}.{name}: required in the schema iff no default",
                    )


class MethodsMatchOperations(unittest.TestCase):
    def test_every_method_calls_a_documented_operation(self) -> None:
        found = endpoints()
        self.assertGreaterEqual(len(found), 15)
        for name, endpoint in found.items():
            with self.subTest(method=name):
                path_item = DOCUMENT["paths"].get(endpoint.path)
                self.assertIsNotNone(path_item, f"{endpoint.path} is not in the API")
                operation = path_item.get(endpoint.method.lower())
                self.assertIsNotNone(
                    operation, f"{endpoint.method} {endpoint.path} is not in the API"
                )
                parameters = [
                    resolve(p)
                    for p in [*path_item.get("parameters", []), *operation.get("parameters", [])]
                ]
                query = {p["name"] for p in parameters if p["in"] == "query"}
                self.assertTrue(
                    set(endpoint.query) <= query,
                    f"undocumented query parameters {set(endpoint.query) - query}",
                )
                for p in parameters:
                    if p["in"] == "query" and p.get("required"):
                        self.assertIn(p["name"], endpoint.query, "a required parameter is never sent")
                if endpoint.body:
                    body = resolve(
                        operation["requestBody"]["content"]["application/json"]["schema"]
                    )
                    self.assertTrue(
                        set(endpoint.body) <= set(body["properties"]),
                        f"undocumented body fields {set(endpoint.body) - set(body['properties'])}",
                    )
                    self.assertTrue(
                        set(body.get("required", [])) <= set(endpoint.body),
                        "a required body field is never sent",
                    )
                if endpoint.returns is not None:
                    self.assertIn(
                        endpoint.returns.SCHEMA,
                        self._response_schemas(operation, endpoint.page),
                    )

    @staticmethod
    def _response_schemas(operation: Dict[str, Any], page: bool) -> Set[str]:
        """The schema names the success answer may have (one, or each of an ``anyOf``)."""
        responses = operation["responses"]
        ok = next(resolve(v) for k, v in responses.items() if k.startswith("2"))
        schema = ok["content"]["application/json"]["schema"]
        if page:
            schema = resolve(schema)["properties"]["items"]["items"]
        options = schema.get("anyOf", [schema])
        return {option["$ref"].split("/")[-1] for option in options}


if __name__ == "__main__":
    unittest.main()
