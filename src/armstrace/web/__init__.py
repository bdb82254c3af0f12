"""The web layer: `armstrace serve` pages, JSON API and review over a store.

    from armstrace.web import create_app
    app = create_app("sqlite:///news.db")            # read-only
    app = create_app("sqlite:///news.db", "s3cret")  # review allowed with the token
"""

from armstrace.web.app import create_app

__all__ = ["create_app"]
