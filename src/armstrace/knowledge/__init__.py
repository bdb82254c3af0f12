"""The knowledge base: catalogues of states, organisations, people and weapon
systems (data files an analyst can read and extend), and the resolver that
maps a mention in text to a catalogue id.

    from armstrace.knowledge import default_catalog, Resolver
    resolver = Resolver(default_catalog())
    resolver.resolve("Amir-Abdolhian", kind="person").id   # 'person:hossein-amir-abdollahian'
"""

from armstrace.knowledge.catalog import Catalog, CatalogError, Entity, default_catalog
from armstrace.knowledge.resolver import DocumentContext, Resolution, Resolver

__all__ = ["Catalog", "CatalogError", "DocumentContext", "Entity", "Resolution", "Resolver", "default_catalog"]
