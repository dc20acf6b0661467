"""The faults of an ingestion that are not the partner's: nothing is recorded against the delivery."""

from __future__ import annotations


class InfrastructureError(Exception):
    """A fault of the platform (disk, archive, quarantine, database), not of the delivery: the task
    fails and retries, the file stays in the landing folder, the ledger row is ``aborted``."""


class FileChanged(Exception):
    """The file changed or disappeared while it was processed: it is processed again next run."""
