"""Ingestion: endpoint jobs (fetch -> raw -> validated core), used by Dagster, CLI and seed."""

from pipeline.ingest.jobs import ENDPOINT_JOBS, GROUPS, EndpointJob, is_due, select_jobs
from pipeline.ingest.results import IngestError, IngestResult
from pipeline.ingest.runner import run_endpoint, run_endpoints

__all__ = [
    "ENDPOINT_JOBS",
    "GROUPS",
    "EndpointJob",
    "IngestError",
    "IngestResult",
    "is_due",
    "run_endpoint",
    "run_endpoints",
    "select_jobs",
]
