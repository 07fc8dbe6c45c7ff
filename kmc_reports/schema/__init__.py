"""The JSON Schema of the model; the committed copy (standard.schema.json) is the contract."""

from __future__ import annotations

import json
from pathlib import Path

from ..model import Standard

SCHEMA_FILE = Path(__file__).with_name("standard.schema.json")


def schema_json() -> str:
    schema = Standard.model_json_schema(mode="serialization")
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema",
              "$id": "https://kmc-reports/schema/standard.schema.json",
              **schema, "title": "iCAP competency standard (kmc-reports model)"}
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"
