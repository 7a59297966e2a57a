"""Records kept one field a column: a frozen dataclass whose fields are named as its table's
columns goes into its row and comes back out of it, with the names written once (the
dataclass's)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.engine import Row

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Record = TypeVar("Record", bound="DataclassInstance")


def row_values(record: DataclassInstance) -> dict[str, Any]:
    """The record's fields as the values of its row's columns."""
    return {field.name: getattr(record, field.name) for field in dataclasses.fields(record)}


def from_row(kind: type[Record], row: Row[Any], **changed: Any) -> Record:
    """The record `row` holds, with the `changed` fields in place of the row's."""
    stored = {field.name: getattr(row, field.name) for field in dataclasses.fields(kind)}
    return kind(**(stored | changed))
