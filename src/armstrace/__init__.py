"""armstrace: a sourced, queryable record of arms transfers from news articles."""

__version__ = "0.1.0"
