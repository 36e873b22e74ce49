"""Readers for raw data files; every problem is a ``WorkbenchError``."""

from workbench.io.readers import RawTable, decode_strict, read_csv, read_sav, read_table, read_xlsx

__all__ = ["RawTable", "decode_strict", "read_csv", "read_sav", "read_table", "read_xlsx"]
