"""Reading the shipped data tables (CSV) with errors that name the file, the line and the field.

Every evidence loader reads its file through :func:`read_table` and checks numbers with
:func:`numeric`, so a malformed file gives one line such as
``seeds/data/x.csv: line 7: value: expected a number, got 'n/a'`` (the header is line 1).
"""

from pathlib import Path

import pandas as pd

from sim.errors import UserError


def read_table(path: Path | str, columns: tuple[str, ...], what: str) -> pd.DataFrame:
    """All rows of a CSV file as strings, after checking that ``columns`` are there."""
    path = Path(path)
    try:
        rows = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise UserError(f"{path}: no such {what} file") from None
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise UserError(f"{path}: cannot read as CSV: {' '.join(str(err).split())}") from None
    missing = [c for c in columns if c not in rows.columns]
    if missing:
        raise UserError(
            f"{path}: missing column(s) {', '.join(missing)}; expected columns {','.join(columns)}"
        )
    for col in rows.columns:
        rows[col] = rows[col].str.strip()
    return rows


def numeric(path: Path, rows: pd.DataFrame, col: str, expected: str = "a number") -> pd.Series:
    """Column ``col`` as numbers; the first non-number is a UserError naming its line."""
    values = pd.to_numeric(rows[col], errors="coerce")
    bad = values.isna()
    if bad.any():
        raise UserError(
            f"{path}: {line_of(rows, bad)}: {col}: expected {expected}, got {rows.loc[bad, col].iloc[0]!r}"
        )
    return values


def years(path: Path, rows: pd.DataFrame, col: str = "year") -> pd.Series:
    """Column ``col`` as integer years; the first non-integer is a UserError naming its line."""
    values = numeric(path, rows, col, "an integer year")
    bad = values % 1 != 0
    if bad.any():
        raise UserError(
            f"{path}: {line_of(rows, bad)}: {col}: expected an integer year, "
            f"got {rows.loc[bad, col].iloc[0]!r}"
        )
    return values.astype(int)


def line_of(rows: pd.DataFrame, mask: pd.Series) -> str:
    """The file line of the first row where ``mask`` holds (the header is line 1).

    Rows keep the index ``read_table`` gave them (0 = the first data line), also after filtering.
    """
    return f"line {int(rows.index[mask.to_numpy()][0]) + 2}"


def no_conflicts(path: Path, rows: pd.DataFrame, key: list[str], value: str) -> pd.DataFrame:
    """Rows without exact duplicates; two different values for one key is a UserError."""
    conflict = rows.duplicated(key, keep=False) & ~rows.duplicated([*key, value], keep=False)
    if conflict.any():
        raise UserError(
            f"{path}: {line_of(rows, conflict)}: two different values for the same {', '.join(key)}"
        )
    return rows.drop_duplicates(key)
