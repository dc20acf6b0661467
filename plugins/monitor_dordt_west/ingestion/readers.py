"""Streaming readers of a delivered file, for COPY: a workbook's agreed sheet as CSV text, a CSV
file's bytes as delivered, and a file whose BSNs are replaced by their pseudonyms while it streams.
Problems found while streaming abort the COPY (``StreamProblems``)."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from pathlib import Path

from monitor_dordt_west.ingestion import pseudonym
from monitor_dordt_west.ingestion.file_checks import BSN_LIKE, CHUNK, MAX_PROBLEMS, bsn_cells, open_regular, row_values
from monitor_dordt_west.ingestion.registry import Dataset, display_name
from monitor_dordt_west.ingestion.storage import private_opener


class StreamProblems(Exception):
    """Problems found while streaming a file into COPY; raising it aborts the COPY."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def xlsx_chunks(path: Path, ds: Dataset) -> Iterator[bytes]:
    """The agreed sheet as CSV text for COPY: the header, then one line per Excel row (empty rows at
    the end left out), so that _line is the Excel row number."""
    import openpyxl  # at run time: only workbook deliveries need it

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=ds.delimiter, quotechar=ds.quote, lineterminator="\n")
        writer.writerow([c.header for c in ds.columns])
        pending_empty = 0
        width = len(ds.columns)
        rows = wb[ds.sheet].iter_rows(min_row=1, values_only=True)
        for row_no, row in enumerate(rows, start=1):
            if bsn := bsn_cells(
                row, ds, row_no < ds.header_row
            ):  # every cell: title rows and cells beyond the agreed columns too
                name = display_name(path.name)
                raise StreamProblems(
                    [f"{name}, werkblad {ds.sheet}, rij {row_no}, {where}: {BSN_LIKE}" for where in bsn]
                )
            if row_no <= ds.header_row:
                continue
            values = row_values(row)
            if not values:
                pending_empty += 1
                continue
            for _ in range(pending_empty):
                writer.writerow([""] * width)
            pending_empty = 0
            writer.writerow(values + [""] * (width - len(values)) if len(values) < width else values)
            if buffer.tell() >= CHUNK:
                yield from _flush(buffer, None)
        yield from _flush(buffer, None)
    finally:
        wb.close()


def raw_chunks(path: Path, offset: int) -> Iterator[bytes]:
    with open_regular(path) as fh:
        fh.seek(offset)
        while chunk := fh.read(CHUNK):
            yield chunk


def pseudonymised_chunks(path: Path, ds: Dataset, archive_copy: Path | None, digest=None) -> Iterator[bytes]:
    """The file with every BSN checked (11-proef) and replaced by its keyed pseudonym, streamed.

    Nothing with a BSN is written anywhere: the rows go to COPY (and to the pseudonymised
    archive copy) only after replacement. An invalid BSN is reported by line, never by value.
    """
    key = pseudonym.key()
    columns = [i for i, c in enumerate(ds.columns) if c.pseudonymise]
    problems: list[str] = []
    invalid = 0
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=ds.delimiter, quotechar=ds.quote, lineterminator="\n")
    encoding = "utf-8-sig" if ds.encoding == "utf-8-sig" else ds.encoding
    archive = open(archive_copy, "wb", opener=private_opener) if archive_copy else None
    try:
        with io.TextIOWrapper(open_regular(path), encoding=encoding, newline="") as fh:
            reader = csv.reader(fh, delimiter=ds.delimiter, quotechar=ds.quote)
            writer.writerow(next(reader))
            for line_no, row in enumerate(reader, start=2):
                for i in columns:
                    if i < len(row):
                        if pseudonym.is_valid_bsn(row[i]):
                            row[i] = pseudonym.pseudonymise(key, row[i])
                        else:
                            invalid += 1
                            if len(problems) < MAX_PROBLEMS:
                                problems.append(
                                    f"{display_name(path.name)}, regel {line_no}, kolom {ds.columns[i].header}: "
                                    "geen geldig BSN "
                                    "(verwacht 9 cijfers die aan de 11-proef voldoen; de waarde wordt niet herhaald)"
                                )
                            row[i] = ""
                writer.writerow(row)
                if buffer.tell() >= CHUNK:
                    yield from _flush(buffer, archive, digest)
            yield from _flush(buffer, archive, digest)
        if archive:
            archive.flush()
            os.fsync(archive.fileno())
    finally:
        if archive:
            archive.close()
    if invalid:
        if invalid > len(problems):
            problems.append(f"{display_name(path.name)}: in totaal {invalid} regel(s) met een ongeldig BSN")
        raise StreamProblems(problems)


def _flush(buffer: io.StringIO, archive, digest=None) -> Iterator[bytes]:
    data = buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    if archive:
        archive.write(data)
        if digest is not None:
            digest.update(data)
    if data:
        yield data
