"""Local-or-S3 locations: one place that knows how to join, split and authenticate them."""

from __future__ import annotations

import os
from pathlib import Path

from lakehouse.settings import Settings, get_settings


def is_s3(uri: str) -> bool:
    return uri.startswith(("s3://", "s3a://"))


def join(base: str, *parts: str) -> str:
    """Join path parts onto a local folder or an s3:// prefix."""
    if is_s3(base):
        return "/".join([base.rstrip("/"), *(p.strip("/") for p in parts)])
    return str(Path(base.removeprefix("file://")).joinpath(*parts))


def split_s3(uri: str) -> tuple[str, str]:
    """s3://bucket/key/part -> ("bucket", "key/part")."""
    rest = uri.split("://", 1)[1]
    bucket, _, key = rest.partition("/")
    return bucket, key


def delta_storage_options(settings: Settings | None = None) -> dict[str, str]:
    """delta-rs storage options for the configured S3 (credentials from the boto3 chain's env vars)."""
    settings = settings or get_settings()
    options: dict[str, str] = {"AWS_REGION": settings.aws_region}
    if settings.aws_endpoint_url:
        options["AWS_ENDPOINT_URL"] = settings.aws_endpoint_url
        options["AWS_ALLOW_HTTP"] = "true" if settings.aws_endpoint_url.startswith("http://") else "false"
        options["AWS_S3_ALLOW_UNSAFE_RENAME"] = "true"
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        if os.environ.get(key):
            options[key] = os.environ[key]
    return options


def s3_client(settings: Settings | None = None):  # -> botocore client; typed loosely to keep boto3 lazy
    """A boto3 S3 client for the configured endpoint (boto3 is imported here, not at module load)."""
    import boto3

    settings = settings or get_settings()
    return boto3.client("s3", endpoint_url=settings.aws_endpoint_url, region_name=settings.aws_region)


def remove_tree(uri: str, settings: Settings | None = None) -> None:
    """Delete a local folder or every object under an s3:// prefix (nothing there is fine)."""
    if not is_s3(uri):
        import shutil

        shutil.rmtree(uri.removeprefix("file://"), ignore_errors=True)
        return
    bucket, key = split_s3(uri)
    client = s3_client(settings)
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=key.rstrip("/") + "/"):
        objects = [{"Key": o["Key"]} for o in page.get("Contents", [])]
        if objects:
            client.delete_objects(Bucket=bucket, Delete={"Objects": objects})
