"""Java (Joda) date-time patterns, as Trino's format_datetime/parse_datetime take them, -> the strftime
patterns DuckDB's strftime/strptime take. Pure: pattern in, pattern out."""

from __future__ import annotations

from lakehouse.sql.errors import SqlError


class InvalidPatternError(SqlError):
    error_name, error_code = "INVALID_FUNCTION_ARGUMENT", 7


def _letters(letter: str, count: int) -> str:
    """One run of a pattern letter (e.g. 'MMM') -> its strftime equivalent."""
    if letter == "y" or letter == "Y" or letter == "u":
        return "%y" if count == 2 else "%Y"
    if letter == "M":
        return {1: "%-m", 2: "%m", 3: "%b"}.get(count, "%B")
    if letter == "d":
        return "%-d" if count == 1 else "%d"
    if letter == "D":
        return "%-j" if count == 1 else "%j"
    if letter == "H":
        return "%-H" if count == 1 else "%H"
    if letter == "h":
        return "%-I" if count == 1 else "%I"
    if letter == "m":
        return "%-M" if count == 1 else "%M"
    if letter == "s":
        return "%-S" if count == 1 else "%S"
    if letter == "S":
        return "%g" if count <= 3 else ("%f" if count <= 6 else "%n")
    if letter == "a":
        return "%p"
    if letter == "E":
        return "%A" if count >= 4 else "%a"
    if letter == "e":
        return "%u"
    if letter == "w":
        return "%V"
    if letter == "Z":
        return "%z"
    if letter == "z":
        return "%Z"
    raise InvalidPatternError(
        f"Pattern letter '{letter}' of format_datetime/parse_datetime is not supported by the embedded "
        "engine; use y M d H h m s S a E e w D Z z or quoted literals"
    )


def java_to_strftime(pattern: str) -> str:
    """'yyyy-MM-dd HH:mm' -> '%Y-%m-%d %H:%M'; quoted text ('T', 'o''clock') kept as literal text."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "'":
            end = i + 1
            literal = []
            while end < n:
                if pattern[end] == "'":
                    if end + 1 < n and pattern[end + 1] == "'":
                        literal.append("'")
                        end += 2
                        continue
                    break
                literal.append(pattern[end])
                end += 1
            if i + 1 == end and end < n:  # '' = one quote
                literal = ["'"]
            out.append("".join(literal).replace("%", "%%"))
            i = end + 1
        elif ch.isalpha():
            run = i
            while run < n and pattern[run] == ch:
                run += 1
            out.append(_letters(ch, run - i))
            i = run
        else:
            out.append("%%" if ch == "%" else ch)
            i += 1
    return "".join(out)
