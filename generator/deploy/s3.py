"""Deploy to S3 or any S3-compatible store (R2, Spaces, MinIO…): only what changed.

Stage: deploy target ``s3://bucket/prefix``.
Input: a checked release (``ReleaseFiles``), a bucket, a key prefix and an optional
endpoint URL; credentials from boto3's usual chain (environment, profile, instance role).
Output: one object per release file with the manifest's Content-Type and Cache-Control,
a deploy record at ``<prefix>/.storysite/manifest.json``, stale objects deleted; a
``DeployPlan``.

Why this order: hashed assets and media go first and pages after them, so a page never
goes live before the files it uses; feeds and sitemaps, which list pages, go after the
pages. The record of what is deployed is written only after every upload has succeeded,
so a deploy that is interrupted, run again, uploads whatever may differ. Deletions come
last, and only of keys a record says this tool wrote: objects someone else put in the
bucket are never touched. Before uploading, the record moves every key about to be
written to "stale" (ours, content unknown), so even a deploy abandoned half-way is put
right by the next deploy of any release: each such key is uploaded again or deleted, and
a withdrawn story's photo cannot be left behind in the bucket.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
from collections.abc import Iterator
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import asdict
from typing import Any

from generator.deploy.common import (
    DeployError,
    DeployPlan,
    FileEntry,
    ReleaseFiles,
    compare,
    make_plan,
    read_verified,
    safe_path,
)

log = logging.getLogger(__name__)

STATE_KEY = ".storysite/manifest.json"
WORKERS = 8  # uploads in flight at once; boto3 clients are thread-safe
DELETE_BATCH = 1000  # the most keys one DeleteObjects request takes


def deploy(
    rel: ReleaseFiles,
    bucket: str,
    prefix: str,
    *,
    dry_run: bool = False,
    endpoint_url: str | None = None,
) -> DeployPlan:
    label = f"s3://{bucket}/{prefix}" if prefix else f"s3://{bucket}"
    with _errors(label, endpoint_url):
        store = _Store(_client(endpoint_url), bucket, prefix)
        state = store.read_state()
        old_files = {f["path"]: _fingerprint(f) for f in state["files"]} if state else {}
        old_stale = set(state["stale"]) if state else set()
        new = {f.path: _fingerprint(asdict(f)) for f in rel.files}
        uploads, _, unchanged = compare(new, old_files)
        deletions = sorted((set(old_files) | old_stale) - set(new))
        notes = []
        if state is None:
            notes.append(f"no deploy record at {store.key(STATE_KEY)}: every file is uploaded")
        plan = make_plan(rel, label, uploads, deletions, unchanged, dry_run, notes)
        if dry_run or (state and state["id"] == rel.id and not uploads and not deletions):
            return plan

        if uploads:
            # Before touching a key, record it as ours with unknown content: should this
            # deploy stop half-way, the next one (of this release or any other) uploads
            # it again or deletes it, instead of trusting the old record.
            base, touched = state or _empty(), set(uploads)
            store.write_state(
                {
                    **base,
                    "files": [f for f in base["files"] if f["path"] not in touched],
                    "stale": sorted(old_stale | touched),
                }
            )
        by_path = rel.by_path()
        for phase in _phases(uploads):
            store.upload(rel, [by_path[p] for p in phase])
        done = _state(rel, deletions)
        store.write_state(done)
        if deletions:
            store.delete(deletions)
            store.write_state({**done, "stale": []})
    log.info("%s now serves release %s", label, rel.id)
    return plan


def _fingerprint(f: dict[str, Any]) -> tuple[str, str, str]:
    # a new Content-Type or Cache-Control policy is a change too, though the bytes are not
    return (f["sha256"], f["content_type"], f["cache_control"])


def _phases(paths: list[str]) -> list[list[str]]:
    def phase(path: str) -> int:
        if path.startswith(("assets/", "media/")):
            return 0
        if path.endswith(".html"):
            return 2
        if path.endswith(".xml"):  # feed and sitemap list pages: after the pages exist
            return 3
        return 1

    groups: list[list[str]] = [[], [], [], []]
    for path in paths:
        groups[phase(path)].append(path)
    return [g for g in groups if g]


def _empty() -> dict[str, Any]:
    return {"format": 1, "id": None, "files": [], "stale": []}


def _state(rel: ReleaseFiles, stale: list[str]) -> dict[str, Any]:
    # paths, hashes and headers only: the release manifest's story lists (and the slugs
    # of withdrawn stories) stay private, and this object may be publicly readable
    return {
        "format": 1,
        "id": rel.id,
        "generator": rel.manifest.get("generator"),
        "deployed_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "files": [
            {
                "path": f.path,
                "sha256": f.sha256,
                "size": f.size,
                "content_type": f.content_type,
                "cache_control": f.cache_control,
            }
            for f in rel.files
        ],
        "stale": list(stale),
    }


def _put_file(client: Any, bucket: str, key: str, data: bytes, entry: FileEntry) -> None:
    """Write one object (a separate function so tests can slow it down or count calls)."""
    client.put_object(
        Bucket=bucket,
        Key=key,
        Body=data,
        ContentType=entry.content_type,
        CacheControl=entry.cache_control,
        Metadata={"sha256": entry.sha256},
    )


class _Store:
    def __init__(self, client: Any, bucket: str, prefix: str):
        self.client = client
        self.bucket = bucket
        self.prefix = prefix

    def key(self, path: str) -> str:
        return f"{self.prefix}/{path}" if self.prefix else path

    def read_state(self) -> dict[str, Any] | None:
        from botocore.exceptions import ClientError

        key = self.key(STATE_KEY)
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                return None
            raise
        where = f"s3://{self.bucket}/{key}"
        try:
            state = json.loads(body)
            files = state["files"]
            stale = state.get("stale", [])
            ok = (
                all(safe_path(f["path"]) for f in files)
                and all(isinstance(f["sha256"], str) for f in files)
                and all(isinstance(p, str) and safe_path(p) for p in stale)
            )
        except (ValueError, KeyError, TypeError):
            ok = False
        if not ok:
            raise DeployError(
                f"the deploy record {where} is damaged; delete it to upload every file again "
                "(stale files from earlier deploys are then no longer cleaned up)"
            )
        for f in files:
            f.setdefault("content_type", "")
            f.setdefault("cache_control", "")
        return {**state, "id": state.get("id"), "files": files, "stale": stale}

    def write_state(self, state: dict[str, Any]) -> None:
        self.client.put_object(
            Bucket=self.bucket,
            Key=self.key(STATE_KEY),
            Body=(json.dumps(state, indent=1) + "\n").encode(),
            ContentType="application/json",
            CacheControl="no-store",
        )

    def upload(self, rel: ReleaseFiles, entries: list[FileEntry]) -> None:
        """Upload one phase; the next phase starts only when all of this one succeeded."""

        def one(entry: FileEntry) -> None:
            _put_file(
                self.client, self.bucket, self.key(entry.path), read_verified(rel, entry), entry
            )
            log.debug("uploaded %s", entry.path)

        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            futures = [pool.submit(one, e) for e in entries]
            done, _ = wait(futures, return_when=FIRST_EXCEPTION)
            failed = next((f for f in done if f.exception()), None)
            if failed:
                pool.shutdown(cancel_futures=True)
                raise failed.exception()  # type: ignore[misc]

    def delete(self, paths: list[str]) -> None:
        for start in range(0, len(paths), DELETE_BATCH):
            batch = paths[start : start + DELETE_BATCH]
            reply = self.client.delete_objects(
                Bucket=self.bucket,
                Delete={"Objects": [{"Key": self.key(p)} for p in batch], "Quiet": True},
            )
            errors = reply.get("Errors") or []
            if errors:
                first = errors[0]
                raise DeployError(
                    f"could not delete {len(errors)} stale object(s), e.g. {first.get('Key')}: "
                    f"{first.get('Code')} {first.get('Message', '')}".strip()
                )
            log.debug("deleted %d stale object(s)", len(batch))


def _client(endpoint_url: str | None) -> Any:
    try:
        import boto3
        from botocore.config import Config
    except ImportError:
        raise DeployError(
            "the s3 target needs boto3: pip install 'storysite[s3]' (or pip install boto3)"
        ) from None
    session = boto3.session.Session()
    options: dict[str, Any] = {
        "retries": {"max_attempts": 5, "mode": "standard"},
        "connect_timeout": 10,
        "read_timeout": 60,
        "max_pool_connections": WORKERS * 2,
    }
    if endpoint_url:
        # path-style addressing works on every S3-compatible store and on an IP address
        options["s3"] = {"addressing_style": "path"}
    try:
        # newer botocore adds checksums many S3-compatible stores reject; send them only
        # where the protocol requires them
        config = Config(
            **options,
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
    except TypeError:
        config = Config(**options)
    try:
        return session.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=session.region_name or "us-east-1",
            config=config,
        )
    except ValueError as exc:  # e.g. an endpoint URL without a scheme
        raise DeployError(f"cannot use the S3 endpoint {endpoint_url!r}: {exc}") from None


@contextlib.contextmanager
def _errors(label: str, endpoint_url: str | None) -> Iterator[None]:
    """botocore's exceptions → one DeployError line the operator can act on."""
    try:
        yield
    except DeployError:
        raise
    except Exception as exc:
        mapped = _map(exc, label, endpoint_url)
        if mapped is None:
            raise
        raise mapped from None


def _map(exc: Exception, label: str, endpoint_url: str | None) -> DeployError | None:
    from botocore import exceptions as bx

    where = endpoint_url or "AWS"
    if isinstance(exc, bx.NoCredentialsError | bx.PartialCredentialsError):
        return DeployError(
            f"no usable S3 credentials for {label}: set AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY (or AWS_PROFILE)"
        )
    if isinstance(exc, bx.EndpointConnectionError | bx.ConnectTimeoutError):
        return DeployError(f"cannot reach the S3 endpoint {where}: {exc}")
    if isinstance(exc, bx.ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        message = error.get("Message") or code
        if code == "NoSuchBucket":
            return DeployError(f"the bucket in {label} does not exist at {where}")
        if code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken"):
            return DeployError(f"the S3 credentials were refused ({code}): {message}")
        if code in ("AccessDenied", "403", "AllAccessDisabled"):
            return DeployError(
                f"access denied to {label} ({exc.operation_name}); the credentials need "
                "s3:GetObject, s3:PutObject and s3:DeleteObject on it"
            )
        return DeployError(f"S3 refused {exc.operation_name} on {label}: {code} {message}")
    if isinstance(exc, bx.BotoCoreError):
        return DeployError(f"S3 deploy to {label} failed: {exc}")
    return None
