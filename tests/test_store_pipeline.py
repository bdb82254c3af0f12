"""The pipeline in process, with the session's real Extractor: de-duplication and skipping work."""

from __future__ import annotations

import shutil
from pathlib import Path

from armstrace.pipeline import ingest_paths
from armstrace.store import open_store
from conftest import gen_articles


def test_same_article_by_two_paths_is_stored_once(tmp_path: Path, extractor) -> None:
    folder = tmp_path / "a"
    paths = gen_articles.write_articles(folder, 6, arms_share=1.0, seed=3)
    other = tmp_path / "b"
    other.mkdir()
    shutil.copy(paths[2], other / "same-text-other-name.txt")
    with open_store(str(tmp_path / "p.db")) as store:
        summary = ingest_paths([str(folder), str(other)], store, extractor)
        assert (summary.read, summary.new, summary.duplicate, summary.failed) == (7, 6, 1, 0)
        assert store.count_documents() == 6
        assert summary.new_claims, "arms articles should give claims"
        assert store.count_claims() == len(summary.new_claims)
        assert store.unfused_claim_ids() == []
        assert store.count_all_events() > 0


def test_rerun_skips_extraction_entirely(tmp_path: Path, extractor) -> None:
    folder = tmp_path / "a"
    gen_articles.write_articles(folder, 5, arms_share=0.5, seed=4)
    made: list[int] = []

    def factory():
        made.append(1)
        return extractor

    with open_store(str(tmp_path / "p.db")) as store:
        first = ingest_paths([str(folder)], store, factory)
        assert (first.new, made) == (5, [1])
        claims_before = store.count_claims()
        second = ingest_paths([str(folder)], store, factory)
        assert (second.read, second.new, second.duplicate) == (5, 0, 5)
        assert made == [1]  # nothing new: the extractor was never even built
        assert store.count_claims() == claims_before and second.new_claims == []


def test_documents_without_events_are_stored_too(tmp_path: Path, extractor) -> None:
    article = tmp_path / "weather.txt"
    article.write_text("Rain in Minsk\n\nIt rained all week in Minsk, forecasters said.\n", encoding="utf-8")
    with open_store(str(tmp_path / "p.db")) as store:
        summary = ingest_paths([str(article)], store, extractor)
        assert (summary.new, summary.new_claims) == (1, [])
        assert store.count_documents() == 1 and store.count_claims() == 0
        assert ingest_paths([str(article)], store, extractor).duplicate == 1
