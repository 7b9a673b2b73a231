"""The landing zone: raw files exactly as the sources deliver them, on local disk or S3.

Writes are atomic, so a reader (a bronze job, a person listing the folder) never sees half a
file, and idempotent, so landing the same content again changes nothing:

- local: the bytes go to a hidden temporary file in the same folder (same filesystem), are
  fsynced, then `os.replace` renames it over the target in one step. Temporary names start with
  a dot and `list()` skips them.
- S3: one `PutObject` of the whole body. S3 makes an object visible only when its upload has
  completed, and readers see either the previous object or the new one, never a mix (strong
  read-after-write consistency). A temporary key plus copy and delete would add two requests,
  leave garbage when interrupted and not be more atomic. The body's SHA-256 is stored as object
  metadata (`sha256`), so re-landing identical bytes is detected with one HEAD and skipped.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

from lakehouse.settings import Settings, get_settings
from lakehouse.storage.uri import is_s3, join, split_s3


class LandingError(RuntimeError):
    """The landing zone could not be read or written; the message says where and why."""


class LandingFileNotFoundError(LandingError, FileNotFoundError):
    """No file at that landing path."""


def _clean_relpath(relpath: str) -> str:
    rel = relpath.replace("\\", "/").strip("/")
    if not rel or any(part in ("", ".", "..") for part in rel.split("/")):
        raise LandingError(
            f"invalid landing path {relpath!r}: use a relative path such as meters/registry/meters.csv"
        )
    return rel


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class LandingStore:
    """Files under LANDING_ROOT (default settings.landing_uri): a local folder or s3://bucket/prefix."""

    def __init__(self, root: str | None = None, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        self.root = (root or self.settings.landing_uri).rstrip("/")
        self._s3 = is_s3(self.root)
        self._client = None

    # --- paths -----------------------------------------------------------------------------
    def uri(self, relpath: str) -> str:
        return join(self.root, _clean_relpath(relpath))

    def _local(self, relpath: str) -> Path:
        return Path(self.uri(relpath))

    def _bucket_key(self, relpath: str) -> tuple[str, str]:
        return split_s3(self.uri(relpath))

    @property
    def client(self):  # botocore S3 client, created on first use
        if self._client is None:
            from lakehouse.storage.uri import s3_client

            self._client = s3_client(self.settings)
        return self._client

    # --- API -------------------------------------------------------------------------------
    def write_bytes(self, relpath: str, data: bytes) -> str:
        """Land `data` at `relpath` atomically; identical existing content is left untouched."""
        return self._write_s3(relpath, data) if self._s3 else self._write_local(relpath, data)

    def read_bytes(self, relpath: str) -> bytes:
        if self._s3:
            bucket, key = self._bucket_key(relpath)
            try:
                return self.client.get_object(Bucket=bucket, Key=key)["Body"].read()
            except self.client.exceptions.NoSuchKey:
                raise LandingFileNotFoundError(f"no landed file at {self.uri(relpath)}") from None
            except Exception as error:  # botocore ClientError, connection errors
                raise LandingError(f"cannot read {self.uri(relpath)}: {error}") from error
        path = self._local(relpath)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            raise LandingFileNotFoundError(f"no landed file at {path}") from None

    def exists(self, relpath: str) -> bool:
        if self._s3:
            return self._head(relpath) is not None
        return self._local(relpath).is_file()

    def list(self, prefix: str = "") -> list[str]:
        """Relative paths of the files under `prefix` (a folder or a name prefix), sorted."""
        prefix = prefix.replace("\\", "/").lstrip("/")
        if self._s3:
            bucket, root_key = split_s3(self.root)
            base = f"{root_key}/" if root_key else ""
            found: list[str] = []
            try:
                pages = self.client.get_paginator("list_objects_v2").paginate(
                    Bucket=bucket, Prefix=base + prefix
                )
                for page in pages:
                    found.extend(item["Key"][len(base) :] for item in page.get("Contents", []))
            except Exception as error:
                raise LandingError(f"cannot list {self.root}/{prefix}: {error}") from error
            return sorted(found)
        root = Path(self.root.removeprefix("file://"))
        folder = prefix.rpartition("/")[0]  # S3 semantics: a plain string prefix of the relpath
        start = root / folder if folder else root
        if not start.is_dir():
            return []
        found = []
        for path in start.rglob("*"):
            if path.is_file() and not path.name.startswith("."):
                rel = path.relative_to(root).as_posix()
                if rel.startswith(prefix):
                    found.append(rel)
        return sorted(found)

    # --- local -----------------------------------------------------------------------------
    def _write_local(self, relpath: str, data: bytes) -> str:
        path = self._local(relpath)
        if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
            return str(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        try:
            with open(tmp, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except OSError as error:
            tmp.unlink(missing_ok=True)
            raise LandingError(f"cannot write {path}: {error}") from error
        return str(path)

    # --- S3 --------------------------------------------------------------------------------
    def _head(self, relpath: str) -> dict | None:
        bucket, key = self._bucket_key(relpath)
        try:
            return self.client.head_object(Bucket=bucket, Key=key)
        except Exception as error:
            code = getattr(error, "response", {}).get("Error", {}).get("Code")
            if code in ("404", "NoSuchKey", "NotFound"):
                return None
            raise LandingError(f"cannot reach {self.uri(relpath)}: {error}") from error

    def _write_s3(self, relpath: str, data: bytes) -> str:
        bucket, key = self._bucket_key(relpath)
        digest = _sha256(data)
        head = self._head(relpath)
        if head is not None and head.get("Metadata", {}).get("sha256") == digest:
            return self.uri(relpath)
        try:
            self.client.put_object(Bucket=bucket, Key=key, Body=data, Metadata={"sha256": digest})
        except Exception as error:
            raise LandingError(
                f"cannot write {self.uri(relpath)}: {error}. "
                "Check LANDING_ROOT, AWS_ENDPOINT_URL and the AWS credentials."
            ) from error
        return self.uri(relpath)
