"""The column types of the agreed files, defined once: what a registry column's ``type`` means.

Per type: the PostgreSQL type of the raw column, the SQL function that reads the delivered text as
that type (``mdw_meta.parse_*`` in ``warehouse/sql/meta.sql``: NULL when the text is not one, so a
wrong value becomes a message with its line instead of a failed COPY), and what a partner is told
was expected (Dutch). The registry (``registry.Column``), the raw tables (``raw_tables``) and the
GX suites (``expectations``) read them here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DateFormat:
    """How a dataset writes its dates (``Dataset.date_format``)."""

    order: str  # of day, month and year: the parse function mdw_meta.parse_date_<order>
    notation: str  # as a partner reads it: dd-mm-jjjj


DATE_FORMATS: dict[str, DateFormat] = {
    "DD-MM-YYYY": DateFormat("dmy", "dd-mm-jjjj"),
    "YYYY-MM-DD": DateFormat("ymd", "jjjj-mm-dd"),
}


@dataclass(frozen=True)
class ColumnType:
    name: str
    pg_type: str  # the raw table's column type
    # mdw_meta.<function>(text) -> pg_type, None: text, kept as delivered; {order}: of the
    # dataset's date format (DATE_FORMATS)
    parse_function: str | None
    # what was expected, in a message to the partner; {notation}: of the dataset's date format
    expected: str
    number_cell: bool = False  # a workbook holds the value as a number cell, not as text

    @property
    def typed(self) -> bool:
        """The raw column holds the parsed value (the load computes it as ``<column>__typed``)."""
        return self.parse_function is not None

    @property
    def temporal(self) -> bool:
        return self.pg_type in ("date", "timestamp")

    def parse_sql(self, source: str, date_format: str) -> str:
        """SQL that turns the text ``source`` into this type, NULL when it does not parse."""
        if self.parse_function is None:
            return source
        return f"mdw_meta.{self.parse_function.format(order=DATE_FORMATS[date_format].order)}({source})"

    def expected_text(self, date_format: str) -> str:
        return self.expected.format(notation=DATE_FORMATS[date_format].notation)


COLUMN_TYPES: dict[str, ColumnType] = {
    t.name: t
    for t in (
        ColumnType("text", "text", None, "tekst"),
        ColumnType("date", "date", "parse_date_{order}", "een geldige datum in het formaat {notation}"),
        ColumnType("int", "bigint", "parse_int", "een geheel getal", number_cell=True),
        ColumnType("decimal_nl", "numeric", "parse_decimal_nl", "een bedrag met decimale komma (1.234,56)"),
        ColumnType("timestamp", "timestamp", "parse_timestamp_iso", "een tijdstip in het formaat jjjj-mm-ddTuu:mm:ss"),
        ColumnType("number", "numeric", "parse_number", "een getal", number_cell=True),
    )
}
