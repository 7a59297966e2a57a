"""imagestudio adapters/catalog: the model catalog, read from a TOML file of model entries."""

from imagestudio.adapters.catalog.catalog_error import CatalogError
from imagestudio.adapters.catalog.toml_catalog import TomlModelCatalog, load_catalog

__all__ = ["CatalogError", "TomlModelCatalog", "load_catalog"]
