import datetime as dt
from pathlib import Path

from generator import parallel
from generator.errors import Problems
from generator.load import read_site


def _read(root: Path):
    problems = Problems()
    return read_site(root, problems), problems


def test_front_matter_lines_are_file_lines(make_site):
    root = make_site({"content/stories/a.md": "---\ntitle: x\ndate: 2020-01-01\n---\n\nHello\n"})
    source, problems = _read(root)
    doc = source.docs[0]
    assert doc.lines[("date",)] == 3 and doc.body_line == 6 and doc.body == "Hello\n"
    assert not problems.items


def test_bom_and_crlf_are_accepted(make_site):
    text = "\ufeff---\r\ntitle: x\r\ndate: 2020-01-01\r\n---\r\nHello\r\n"
    root = make_site({"content/stories/a.md": text.encode("utf-8")})
    source, problems = _read(root)
    assert source.docs[0].meta["title"] == "x" and not problems.errors


def test_story_bundle_and_its_assets(make_site):
    root = make_site(
        {
            "content/stories/b/index.md": "---\ntitle: x\n---\n",
            "content/stories/b/photo.jpg": b"\xff\xd8",
        }
    )
    source, _ = _read(root)
    assert source.docs[0].bundle and source.docs[0].stem == "b"
    assert "content/stories/b/photo.jpg" in source.assets


def _only_error(root: Path) -> str:
    _, problems = _read(root)
    assert len(problems.errors) == 1, problems.errors
    return problems.errors[0].format()


def test_unclosed_front_matter(make_site):
    root = make_site({"content/stories/a.md": "---\ntitle: x\n\nbody\n"})
    assert _only_error(root).startswith("content/stories/a.md:1: front matter is not closed")


def test_missing_front_matter(make_site):
    root = make_site({"content/stories/a.md": "Just text\n"})
    assert "no front matter" in _only_error(root)


def test_empty_file(make_site):
    root = make_site({"content/stories/a.md": ""})
    assert "file is empty" in _only_error(root)


def test_binary_file(make_site):
    root = make_site({"content/stories/a.md": b"---\x00\x01\x02"})
    assert "binary" in _only_error(root)


def test_non_utf8_names_the_line(make_site):
    root = make_site({"content/stories/a.md": "---\ntitle: caf\xe9\n---\n".encode("latin-1")})
    assert _only_error(root).startswith("content/stories/a.md:2: text is not UTF-8")


def test_huge_file(make_site):
    root = make_site({"content/stories/a.md": "---\ntitle: x\n---\n" + "x" * (3 * 1024 * 1024)})
    assert "too large" in _only_error(root)


def test_symlink_out_of_the_site(make_site, tmp_path):
    outside = tmp_path / "secret.md"
    outside.write_text("---\ntitle: secret\n---\n")
    root = make_site()
    (root / "content/stories/a.md").symlink_to(outside)
    assert "outside the site" in _only_error(root)


def test_an_unreadable_folder_is_an_error_naming_it(make_site, monkeypatch):
    # (chmod 000 does not stop root, which CI runs as: the refusal is simulated)
    import os

    root = make_site({"content/stories/hidden/index.md": "---\ntitle: H\n---\n"})
    real = os.scandir

    def scandir(path):
        if str(path).endswith("hidden"):
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    source, problems = _read(root)
    [error] = problems.errors
    assert error.path == "content/stories/hidden" and "Permission denied" in error.message
    assert all(d.path != "content/stories/hidden/index.md" for d in source.docs)


def test_yaml_error_line_is_a_file_line(make_site):
    root = make_site({"content/stories/a.md": "---\ntitle: x\nsummary: a: b\n---\n"})
    assert _only_error(root).startswith("content/stories/a.md:3: invalid YAML")


def test_data_files_are_read(make_site):
    root = make_site({"content/data/gifts.yaml": "- {amount: 5, currency: USD, provides: x}\n"})
    source, _ = _read(root)
    assert source.data["gifts"].data[0]["amount"] == 5


def test_memoised_front_matter_is_read_in_process_and_the_rest_parsed(
    make_site, tmp_path, monkeypatch
):
    from generator import parallel, yamlmemo
    from generator.cache import Cache

    # a comment after a value: front matter for YAML, not for the quick reader
    files = {
        f"content/stories/s{i:03d}.md": f"---\ntitle: S{i}  # a note\ndate: 2020-01-01\n---\n\nT{i}\n"
        for i in range(parallel.MIN_PARALLEL + 20)
    }
    root = make_site(files)
    cache = Cache(tmp_path / "cache")
    first = read_site(root, Problems(), cache)
    cache.settle()  # the memo is written by a forked process
    # the next read finds every front matter in the memo: no YAML parsed, no workers
    (root / "content/stories/s000.md").write_text("---\ntitle: new # x\ndate: 2021-02-02\n---\nX\n")
    (root / "content/stories/s001.md").write_text("---\ntitle: [broken\n---\n")
    parsed, forked = [], []
    real_parse, real_map = yamlmemo.parse, parallel.map_chunks
    monkeypatch.setattr(yamlmemo, "parse", lambda text: parsed.append(text) or real_parse(text))
    monkeypatch.setattr(
        parallel,
        "map_chunks",
        lambda job, items, **kw: forked.append(len(items)) or real_map(job, items, **kw),
    )
    problems = Problems()
    second = read_site(root, problems, cache)
    assert len(parsed) == 2 and forked == [2]  # only the two changed files
    assert second.docs[0].meta == {"title": "new", "date": dt.date(2021, 2, 2)}
    assert second.docs[1:] == first.docs[2:]  # s001 is broken: not a document
    [error] = problems.errors
    assert error.path == "content/stories/s001.md" and error.line == 3  # where ']' was due


def test_plain_front_matter_is_read_without_yaml_and_not_memoised(make_site, tmp_path, monkeypatch):
    from generator import parallel, yamlmemo
    from generator.cache import Cache

    files = {
        f"content/stories/s{i:03d}.md": f"---\ntitle: S{i}\ndate: 2020-01-01\ntags: [a]\n---\n\nT{i}\n"
        for i in range(parallel.MIN_PARALLEL + 20)
    }
    files["content/stories/yaml.md"] = "---\ntitle: Y  # for YAML\n---\n\nY\n"
    root = make_site(files)
    parsed = []
    real_parse = yamlmemo.parse
    monkeypatch.setattr(yamlmemo, "parse", lambda text: parsed.append(text) or real_parse(text))
    monkeypatch.setenv("STORYSITE_JOBS", "1")  # parsed here, so counted here
    cache = Cache(tmp_path / "cache")
    first = read_site(root, Problems(), cache)
    cache.settle()
    assert len(parsed) == 1  # only the one with a comment
    assert first.docs[0].meta == {"title": "S0", "date": dt.date(2020, 1, 1), "tags": ["a"]}
    assert first.docs[0].lines == {("title",): 2, ("date",): 3, ("tags",): 4, ("tags", 0): 4}
    memo = cache.get(yamlmemo.ParseMemo.KIND, yamlmemo.ParseMemo.KEY)
    assert isinstance(memo, dict) and len(memo) == 1  # the plain ones are not kept


def test_the_parse_memo_gives_back_what_parsing_gave(tmp_path):
    from generator.cache import Cache
    from generator.yamlmemo import ParseMemo

    text = (
        "title: T\ndate: 2020-01-02\nupdated: 2021-03-04 05:06:07\ncount: 3\nshare: 0.5\n"
        "draft: false\nnothing: null\ntags: [a, b]\nconsent:\n  given: 2019-05-06\n"
        "  scope: [web]\nmetrics:\n  - {value: 5, label: x, day: 2001-01-01}\n  - [1, [2, 2002-02-02]]\n"
    )
    cache = Cache(tmp_path)
    fresh = ParseMemo(Cache(None)).parse(text)
    first = ParseMemo(cache)
    first.parse(text)
    first.save()
    cache.settle()
    again = ParseMemo(cache).parse(text, memo_only=True)
    assert again.data == fresh.data and again.lines == fresh.lines
    assert type(again.data["date"]) is dt.date and type(again.data["updated"]) is dt.datetime


def test_workers_keep_the_collector_off_only_when_asked(monkeypatch):
    """``collect=False`` (reading documents): a collection in a worker walks everything
    it has parsed so far; results still come back in input order."""
    import gc

    monkeypatch.setenv("STORYSITE_JOBS", "2")

    def job(chunk):
        return [(item, gc.isenabled()) for item in chunk]

    items = list(range(parallel.MIN_PARALLEL + 50))
    off = parallel.map_chunks(job, items, collect=False)
    on = parallel.map_chunks(job, items)
    assert [i for i, _ in off] == items == [i for i, _ in on]
    assert not any(enabled for _, enabled in off) and all(enabled for _, enabled in on)


def test_chunks_cover_every_item_in_order_and_balance_their_weight():
    import itertools

    from generator.parallel import chunk_bounds

    assert chunk_bounds(10, 4) == [(0, 3), (3, 6), (6, 9), (9, 10)]
    weights = [5.0] * 80 + [1.0] * 40  # long items first, as stories before milestones
    bounds = chunk_bounds(len(weights), 8, weights)
    assert bounds[0][0] == 0 and bounds[-1][1] == len(weights)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(bounds))
    assert all(end > start for start, end in bounds)
    sums = [sum(weights[start:end]) for start, end in bounds]
    assert len(bounds) == 8 and max(sums) - min(sums) <= 5.0  # one item at most
    # one item heavier than several chunks' share: fewer chunks, none empty
    heavy = chunk_bounds(5, 4, [100.0, 1.0, 1.0, 1.0, 1.0])
    assert heavy[0] == (0, 1) and heavy[-1][1] == 5 and all(e > s for s, e in heavy)
