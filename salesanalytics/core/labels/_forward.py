"""Labels of the forward domain: column/field names, sentences and coded values, (zh, en)."""

COLUMNS: dict[str, tuple[str, str]] = {}
TEXTS: dict[str, tuple[str, str]] = {}
VALUES: dict[str, dict[str, tuple[str, str]]] = {}
