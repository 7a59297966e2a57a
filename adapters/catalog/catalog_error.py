"""A catalog that cannot be trusted: the error names the model and the field at fault."""

from __future__ import annotations


class CatalogError(ValueError):
    """A malformed catalog, refused at load time rather than mispriced at run time."""

    def __init__(
        self,
        reason: str,
        *,
        model_id: str | None = None,
        field: str | None = None,
        source: str | None = None,
    ) -> None:
        self.reason = reason
        self.model_id = model_id
        self.field = field
        self.source = source
        where = [
            part
            for part in (
                source,
                None if model_id is None else f"model {model_id!r}",
                None if field is None else f"field {field!r}",
            )
            if part is not None
        ]
        super().__init__(": ".join([*where, reason]))

    def located_in(self, source: str) -> CatalogError:
        """The same error, naming the catalog file it came from."""
        return CatalogError(self.reason, model_id=self.model_id, field=self.field, source=source)
