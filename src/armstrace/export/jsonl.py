"""JSON lines: one fused event a line, exactly SPEC section 6."""

from __future__ import annotations

import json
from typing import Any

from armstrace.export.base import Exporter


class JsonlExporter(Exporter):
    format = "jsonl"
    suffix = ".jsonl"
    description = "one fused event a line (SPEC section 6), claims and evidence included"

    def write(self, event: dict[str, Any]) -> None:
        self.stream.write(json.dumps(event, ensure_ascii=False))
        self.stream.write("\n")
