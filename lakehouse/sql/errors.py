"""Typed SQL errors that carry Trino's error identity (name, type, code), so that the protocol
endpoint returns the error objects Trino clients know and the CLI prints the same message."""

from __future__ import annotations

from typing import Any, ClassVar


class SqlError(Exception):
    """A statement failed; `error_name`/`error_type`/`error_code` follow io.trino.spi.StandardErrorCode."""

    error_name: ClassVar[str] = "GENERIC_USER_ERROR"
    error_type: ClassVar[str] = "USER_ERROR"
    error_code: ClassVar[int] = 0

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column

    def to_trino(self) -> dict[str, Any]:
        """The `error` object of a Trino QueryResults document."""
        error: dict[str, Any] = {
            "message": self.message,
            "errorCode": self.error_code,
            "errorName": self.error_name,
            "errorType": self.error_type,
            "failureInfo": {
                "type": f"io.trino.spi.TrinoException ({type(self).__name__})",
                "message": self.message,
                "suppressed": [],
                "stack": [],
            },
        }
        if self.line is not None:
            location = {"lineNumber": self.line, "columnNumber": self.column or 1}
            error["errorLocation"] = location
            error["failureInfo"]["errorLocation"] = location
        return error


class SqlSyntaxError(SqlError):
    error_name, error_code = "SYNTAX_ERROR", 1


class UserCanceledError(SqlError):
    error_name, error_code = "USER_CANCELED", 3


class AccessDeniedError(SqlError):
    """Refused by the access rules (trino/rules.json); message as Trino's: 'Access Denied: ...'."""

    error_name, error_code = "PERMISSION_DENIED", 4


class NotSupportedError(SqlError):
    error_name, error_code = "NOT_SUPPORTED", 13


class ReadOnlyError(SqlError):
    error_name, error_code = "READ_ONLY_VIOLATION", 23


class CatalogNotFoundError(SqlError):
    error_name, error_code = "CATALOG_NOT_FOUND", 44


class SchemaNotFoundError(SqlError):
    error_name, error_code = "SCHEMA_NOT_FOUND", 45


class TableNotFoundError(SqlError):
    error_name, error_code = "TABLE_NOT_FOUND", 46


class ColumnNotFoundError(SqlError):
    error_name, error_code = "COLUMN_NOT_FOUND", 47


class FunctionNotFoundError(SqlError):
    error_name, error_code = "FUNCTION_NOT_FOUND", 6


class InvalidCastError(SqlError):
    error_name, error_code = "INVALID_CAST_ARGUMENT", 9


class DivisionByZeroError(SqlError):
    error_name, error_code = "DIVISION_BY_ZERO", 8


class AuthenticationError(SqlError):
    """Unknown user or wrong password (HTTP 401 at the endpoint)."""

    error_name, error_code = "PERMISSION_DENIED", 4


class InternalError(SqlError):
    error_name, error_type, error_code = "GENERIC_INTERNAL_ERROR", "INTERNAL_ERROR", 65536


class CatalogUnavailableError(SqlError):
    """A catalog is configured but cannot be reached (e.g. the warehouse PostgreSQL is down)."""

    error_name, error_type, error_code = "GENERIC_INTERNAL_ERROR", "EXTERNAL", 65536
