"""The routing rules of model `auto`, checked against the catalog they route in."""

from __future__ import annotations

from imagestudio.application.ports.catalog import ModelCatalog
from imagestudio.application.routing import RoutingRules
from imagestudio.entrypoints.settings import Settings, SettingsError


def build_routing_rules(settings: Settings, catalog: ModelCatalog) -> RoutingRules:
    """The settings' routing rules. A preference naming no model id or provider of the catalog
    is refused: a misspelt one ranked nothing, and `auto` silently routed by price instead.
    Like every setting's error, it says which entry, never the value given."""
    rules = settings.routing_rules
    models = catalog.all()
    providers = sorted({model.provider for model in models})
    known = {model.id for model in models} | set(providers)
    for position, wanted in enumerate(rules.preference, start=1):
        if wanted not in known:
            raise SettingsError(
                f"IMAGESTUDIO_ROUTING_PREFERENCE: entry {position} names no model or provider; "
                f"give model ids (imagestudio models) or providers ({', '.join(providers)}), "
                "separated by commas"
            )
    return rules
