"""Batch runs over a province's subjects: streaming, on every core or a Dask cluster, resumable."""

from __future__ import annotations

from zwcx_rules.batch.runner import BatchOptions, BatchSummary, run_batch

__all__ = ["BatchOptions", "BatchSummary", "run_batch"]
