"""Running extraction over many documents: one process, or a pool of local workers.

Each worker loads the pipeline once (spaCy, catalogues, gazetteer) and then
takes documents in small chunks; results come back in input order.
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Iterable, Iterator

from armstrace import config
from armstrace.model import Document, DocumentResult

_worker_extractor = None


def make_extractor(method: str = "rules"):  # noqa: ANN201 - Extractor or CooccurrenceBaseline
    if method == "cooccurrence":
        from armstrace.extract.baseline import CooccurrenceBaseline

        return CooccurrenceBaseline()
    from armstrace.extract import Extractor

    return Extractor()


def _init_worker(method: str) -> None:
    global _worker_extractor
    if _worker_extractor is None:  # inherited from the parent when forked after loading
        _worker_extractor = make_extractor(method)


def _extract_chunk(docs: list[Document]) -> list[DocumentResult]:
    assert _worker_extractor is not None
    return list(_worker_extractor.pipe(docs, batch_size=config.BATCH_SIZE))


def _chunks(documents: Iterable[Document], size: int) -> Iterator[list[Document]]:
    chunk: list[Document] = []
    for doc in documents:
        chunk.append(doc)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def extract_stream(documents: Iterable[Document], workers: int = 1, method: str = "rules",
                   extractor=None, scheduler: str | None = None) -> Iterator[DocumentResult]:  # noqa: ANN001
    """Extract every document, in order, with `workers` local processes or a Dask cluster.

    `scheduler` is a Dask scheduler address ("tcp://host:8786") for corpora beyond
    one machine, or "local" for a Dask LocalCluster of `workers` processes.
    """
    if scheduler:
        yield from _extract_with_dask(documents, scheduler, max(workers, 1), method)
        return
    if workers <= 1:
        extractor = extractor or make_extractor(method)
        yield from extractor.pipe(documents, batch_size=config.BATCH_SIZE)
        return
    # Load once in the parent and fork: the workers inherit the loaded pipeline (copy-on-write) instead
    # of each loading spaCy and the catalogues again.
    global _worker_extractor
    _worker_extractor = extractor or make_extractor(method)
    ctx = mp.get_context("fork")
    with ctx.Pool(workers, initializer=_init_worker, initargs=(method,)) as pool:
        for results in pool.imap(_extract_chunk, _chunks(documents, config.BATCH_SIZE)):
            yield from results


def _dask_extract_chunk(docs: list[Document], method: str) -> list[DocumentResult]:
    # Runs on a Dask worker: the pipeline is built once per worker process and kept.
    global _worker_extractor
    if _worker_extractor is None:
        _worker_extractor = make_extractor(method)
    return list(_worker_extractor.pipe(docs, batch_size=config.BATCH_SIZE))


def _extract_with_dask(documents: Iterable[Document], scheduler: str, workers: int, method: str
                       ) -> Iterator[DocumentResult]:
    """Chunks go to the cluster a window at a time, so memory stays flat however long the stream."""
    from distributed import Client, LocalCluster

    cluster = None
    if scheduler == "local":
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        window: list = []
        for chunk in _chunks(documents, config.BATCH_SIZE):
            window.append(client.submit(_dask_extract_chunk, chunk, method, pure=False))
            if len(window) >= 4 * workers:
                yield from window.pop(0).result()
        for future in window:
            yield from future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
