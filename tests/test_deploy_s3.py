"""Deploy to S3: against a real S3-protocol server (moto_server) on 127.0.0.1."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import uuid

import pytest
from conftest import REPO
from deploy_servers import build_two_releases, moto_server, stop

from generator.deploy import DeployError, S3Target, deploy, parse_target
from generator.deploy import s3 as s3_target

boto3 = pytest.importorskip("boto3") if not os.environ.get("CI") else __import__("boto3")

CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@pytest.fixture(scope="module")
def endpoint():
    with moto_server() as url:
        yield url


@pytest.fixture(scope="module")
def releases(tmp_path_factory):
    return build_two_releases(tmp_path_factory.mktemp("s3") / "src")


@pytest.fixture(autouse=True)
def credentials(monkeypatch, tmp_path):
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    # nothing from the developer's own ~/.aws may leak in
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def client(endpoint):
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")


@pytest.fixture
def bucket(client):
    name = f"site-{uuid.uuid4().hex[:10]}"
    client.create_bucket(Bucket=name)
    return name


def objects(client, bucket, prefix="") -> dict[str, bytes]:
    """{release path: bytes} of every object under the prefix but the deploy record."""
    found = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            key = item["Key"]
            if key.removeprefix(prefix) != s3_target.STATE_KEY:
                body = client.get_object(Bucket=bucket, Key=key)["Body"].read()
                found[key.removeprefix(prefix)] = body
    return found


def snapshot(client, bucket) -> dict[str, tuple]:
    reply = client.list_objects_v2(Bucket=bucket)
    return {o["Key"]: (o["ETag"], o["LastModified"]) for o in reply.get("Contents", [])}


def state(client, bucket, prefix=""):
    body = client.get_object(Bucket=bucket, Key=prefix + s3_target.STATE_KEY)["Body"].read()
    return json.loads(body)


@pytest.fixture
def puts(monkeypatch):
    """Every file upload, in order."""
    calls: list[str] = []
    real = s3_target._put_file

    def counting(client, bucket, key, data, entry):
        calls.append(entry.path)
        real(client, bucket, key, data, entry)

    monkeypatch.setattr(s3_target, "_put_file", counting)
    return calls


def test_parse_s3_targets():
    assert parse_target("s3://my-site") == S3Target("my-site", "")
    assert parse_target("s3://my-site/a/b/") == S3Target("my-site", "a/b")
    assert str(parse_target("s3://my-site//a/")) == "s3://my-site/a"
    for bad in ("s3://", "s3:///x", "s3://b/a/../c"):
        with pytest.raises(DeployError):
            parse_target(bad)
    with pytest.raises(DeployError, match="s3:// targets only"):
        deploy(REPO / "nowhere", parse_target("dir:/tmp/x"), endpoint_url="http://x")


def test_first_deploy_uploads_every_file_with_its_headers(releases, endpoint, client, bucket, puts):
    client.put_object(Bucket=bucket, Key="site/keep-me.txt", Body=b"not ours")
    client.put_object(Bucket=bucket, Key="elsewhere.txt", Body=b"not ours either")
    target = parse_target(f"s3://{bucket}/site")
    plan = deploy(releases.a, target, endpoint_url=endpoint)
    files = releases.files(releases.a)
    assert sorted(plan.uploads) == sorted(files) and plan.deletions == []
    assert plan.bytes == sum(len(b) for b in files.values())
    assert objects(client, bucket, "site/") == {**files, "keep-me.txt": b"not ours"}
    for entry in releases.manifest(releases.a)["files"]:
        head = client.head_object(Bucket=bucket, Key=f"site/{entry['path']}")
        assert head["ContentType"] == entry["content_type"], entry["path"]
        assert head["CacheControl"] == entry["cache_control"], entry["path"]
    assert (
        "immutable"
        in client.head_object(
            Bucket=bucket, Key=f"site/{next(p for p in files if p.startswith('media/'))}"
        )["CacheControl"]
    )
    record = state(client, bucket, "site/")
    assert record["id"] == releases.a.name and record["stale"] == []
    assert "stories" not in record and "gone" not in record, "no story list in the bucket"
    # pages after the files they use; feed and sitemap after the pages
    first_html = min(i for i, p in enumerate(puts) if p.endswith(".html"))
    assert all(i < first_html for i, p in enumerate(puts) if p.startswith(("assets/", "media/")))
    assert all(i > first_html for i, p in enumerate(puts) if p.endswith(".xml"))


def test_unchanged_release_uploads_nothing(releases, endpoint, client, bucket, puts):
    target = parse_target(f"s3://{bucket}")
    deploy(releases.a, target, endpoint_url=endpoint)
    before, puts[:] = snapshot(client, bucket), []
    plan = deploy(releases.a, target, endpoint_url=endpoint)
    assert (plan.uploads, plan.deletions, plan.bytes) == ([], [], 0)
    assert plan.unchanged == len(releases.files(releases.a))
    assert puts == [] and snapshot(client, bucket) == before


def test_changed_release_uploads_only_changes_and_deletes_stale_files_last(
    releases, endpoint, client, bucket, puts, monkeypatch
):
    target = parse_target(f"s3://{bucket}")
    deploy(releases.a, target, endpoint_url=endpoint)
    client.put_object(Bucket=bucket, Key="hand-made.html", Body=b"someone else's")
    events: list[str] = []
    real_delete, real_state = s3_target._Store.delete, s3_target._Store.write_state
    monkeypatch.setattr(
        s3_target._Store,
        "delete",
        lambda self, paths: (events.append("delete"), real_delete(self, paths)),
    )
    monkeypatch.setattr(
        s3_target._Store,
        "write_state",
        lambda self, s: (events.append("state"), real_state(self, s)),
    )
    puts[:] = []
    plan = deploy(releases.b, target, endpoint_url=endpoint)
    a, b = releases.files(releases.a), releases.files(releases.b)
    changed = sorted(p for p in b if a.get(p) != b[p])
    assert sorted(puts) == sorted(plan.uploads) == changed
    assert not any(p.startswith(("assets/", "media/")) for p in puts)
    assert plan.deletions == ["hello.txt"]
    assert events == ["state", "state", "delete", "state"], (
        "record new keys, upload, record, delete"
    )
    assert objects(client, bucket) == {**b, "hand-made.html": b"someone else's"}


def test_dry_run_changes_nothing(releases, endpoint, client, bucket):
    target = parse_target(f"s3://{bucket}")
    plan = deploy(releases.a, target, dry_run=True, endpoint_url=endpoint)
    assert plan.dry_run and len(plan.uploads) == len(releases.files(releases.a))
    assert snapshot(client, bucket) == {}
    deploy(releases.a, target, endpoint_url=endpoint)
    before = snapshot(client, bucket)
    planned = deploy(releases.b, target, dry_run=True, endpoint_url=endpoint)
    assert snapshot(client, bucket) == before
    done = deploy(releases.b, target, endpoint_url=endpoint)
    assert (planned.uploads, planned.deletions, planned.bytes) == (
        done.uploads,
        done.deletions,
        done.bytes,
    )


KILLED_DEPLOY = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from generator import deploy
    from generator.deploy import s3

    real = s3._put_file
    def slow(client, bucket, key, data, entry):
        real(client, bucket, key, data, entry)
        print(entry.path, flush=True)
        time.sleep(0.05)
    s3._put_file = slow
    s3.WORKERS = 1
    deploy.deploy(Path(sys.argv[1]), deploy.parse_target(sys.argv[2]), endpoint_url=sys.argv[3])
    print("DONE", flush=True)
    """
)


def test_a_killed_deploy_run_again_finishes_the_job(releases, endpoint, client, bucket):
    target = f"s3://{bucket}/www"
    deploy(releases.a, parse_target(target), endpoint_url=endpoint)
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_DEPLOY, str(releases.b), target, endpoint],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env={**os.environ, **CREDENTIALS},
    )
    try:
        uploaded = [proc.stdout.readline().strip() for _ in range(6)]
        proc.send_signal(signal.SIGKILL)
    finally:
        stop(proc)
    assert proc.returncode == -signal.SIGKILL and "DONE" not in uploaded
    a, b = releases.files(releases.a), releases.files(releases.b)
    half = objects(client, bucket, "www/")
    assert half != b and any(half.get(p) == b[p] != a.get(p) for p in uploaded), "half-way"
    assert state(client, bucket, "www/")["id"] == releases.a.name
    plan = deploy(releases.b, parse_target(target), endpoint_url=endpoint)
    assert "hello.txt" in plan.deletions
    assert objects(client, bucket, "www/") == b, "same keys, same bytes"
    assert state(client, bucket, "www/")["id"] == releases.b.name


def test_an_abandoned_deploy_leaves_nothing_behind(releases, endpoint, client, bucket, monkeypatch):
    """B fails after writing some new keys; deploying A next removes them (a withdrawn
    story's photo must not stay in the bucket because a deploy once broke)."""
    target = parse_target(f"s3://{bucket}")
    deploy(releases.a, target, endpoint_url=endpoint)
    real, calls = s3_target._put_file, []

    def failing(client, bucket, key, data, entry):
        calls.append(entry.path)
        if len(calls) > 2:
            raise OSError("network down")
        real(client, bucket, key, data, entry)

    monkeypatch.setattr(s3_target, "_put_file", failing)
    monkeypatch.setattr(s3_target, "WORKERS", 1)
    with pytest.raises(OSError):
        deploy(releases.b, target, endpoint_url=endpoint)
    assert "bye.txt" in objects(client, bucket)  # a new key, written before the failure
    monkeypatch.setattr(s3_target, "_put_file", real)
    plan = deploy(releases.a, target, endpoint_url=endpoint)
    assert "bye.txt" in plan.deletions
    assert objects(client, bucket) == releases.files(releases.a)


def test_a_deploy_stopped_while_deleting_is_finished_next_time(
    releases, endpoint, client, bucket, monkeypatch
):
    target = parse_target(f"s3://{bucket}")
    deploy(releases.a, target, endpoint_url=endpoint)

    def broken(self, paths):
        raise DeployError("stopped")

    with monkeypatch.context() as m:
        m.setattr(s3_target._Store, "delete", broken)
        with pytest.raises(DeployError):
            deploy(releases.b, target, endpoint_url=endpoint)
    assert "hello.txt" in objects(client, bucket)
    plan = deploy(releases.b, target, endpoint_url=endpoint)
    assert plan.uploads == [] and plan.deletions == ["hello.txt"]
    assert objects(client, bucket) == releases.files(releases.b)
    assert state(client, bucket)["stale"] == []


def test_failures_are_clear_messages(releases, endpoint, monkeypatch, tmp_path):
    with pytest.raises(DeployError, match="does not exist"):
        deploy(releases.a, parse_target("s3://no-such-bucket-here"), endpoint_url=endpoint)
    with pytest.raises(DeployError, match="cannot use the S3 endpoint"):
        deploy(releases.a, parse_target("s3://bucket-x"), endpoint_url="localhost:9000")
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(DeployError, match="AWS_ACCESS_KEY_ID"):
        deploy(releases.a, parse_target("s3://bucket-x"), endpoint_url=endpoint)


def test_a_damaged_deploy_record_is_refused(releases, endpoint, client, bucket):
    client.put_object(Bucket=bucket, Key=s3_target.STATE_KEY, Body=b'{"files": [{"path": "../x"}]}')
    with pytest.raises(DeployError, match="damaged"):
        deploy(releases.a, parse_target(f"s3://{bucket}"), endpoint_url=endpoint)
