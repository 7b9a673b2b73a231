#!/bin/sh
# One-shot MinIO set-up (the compose service minio-init, image minio/mc): the platform's buckets and
# a service account limited to them, so that no other container holds the MinIO root credentials.
# Idempotent: every `docker compose up` re-runs it. Credentials come from the environment (.env).
set -eu

: "${MINIO_ROOT_USER:?set MINIO_ROOT_USER in .env}"
: "${MINIO_ROOT_PASSWORD:?set MINIO_ROOT_PASSWORD in .env}"
: "${S3_ACCESS_KEY_ID:?set S3_ACCESS_KEY_ID in .env}"
: "${S3_SECRET_ACCESS_KEY:?set S3_SECRET_ACCESS_KEY in .env}"
here="$(dirname "$0")"

mc alias set local http://minio:9000 "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >/dev/null
for bucket in landing lakehouse artifacts reports; do
    mc mb --ignore-existing "local/$bucket"
done
mc admin policy create local lakehouse-readwrite "$here/lakehouse-policy.json"
mc admin user add local "$S3_ACCESS_KEY_ID" "$S3_SECRET_ACCESS_KEY"
if ! mc admin policy attach local lakehouse-readwrite --user "$S3_ACCESS_KEY_ID"; then
    # Attaching an attached policy fails; anything else is a real error (a shell pattern: the image is minimal).
    case "$(mc admin user info local "$S3_ACCESS_KEY_ID" --json)" in
        *lakehouse-readwrite*) ;;
        *) echo "minio-init: could not attach lakehouse-readwrite to $S3_ACCESS_KEY_ID" >&2; exit 1 ;;
    esac
fi
echo "minio-init: buckets landing, lakehouse, artifacts, reports; user $S3_ACCESS_KEY_ID (lakehouse-readwrite)"
