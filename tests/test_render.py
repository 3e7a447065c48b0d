from conftest import story
from helpers import build_site, problems_of


def _page(out, slug="asha"):
    return (out / "stories" / slug / "index.html").read_text()


def test_relative_links_become_page_urls(make_site, tmp_path):
    a = story("a")
    b = (
        "content/stories/b.md",
        story("b")[1] + "\nSee [a](a.md#part) and [m](../milestones/m.md).\n",
    )
    m = (
        "content/milestones/m.md",
        "---\ntitle: M\ndate: 2001\n---\nBack to [b](../stories/b.md)\n",
    )
    out = build_site(make_site(dict([a, b, m])), tmp_path / "out")
    html = _page(out, "b")
    assert 'href="/stories/a/#part"' in html and 'href="/milestones/m/"' in html
    assert 'href="/stories/b/"' in (out / "milestones/m/index.html").read_text()


def test_links_honour_a_base_url_with_a_path(make_site, tmp_path):
    b = ("content/stories/b.md", story("b")[1] + "\n[a](a.md)\n")
    out = build_site(
        make_site(dict([story("a"), b])), tmp_path / "out", base_url="https://example.org/sub/site/"
    )
    assert 'href="/sub/site/stories/a/"' in _page(out, "b")


def test_link_to_missing_file_names_its_line(make_site):
    text = story("b")[1] + "\nline one\n\nthen [gone](nowhere.md) here\n"
    found = problems_of(make_site({"content/stories/b.md": text}))
    assert found == [
        "content/stories/b.md:16: link to nowhere.md: no such content file\n"
        "  fix: check the file name; links are relative to this file"
    ]


def test_link_to_draft_is_an_error(make_site):
    b = ("content/stories/b.md", story("b")[1] + "\n[a](a.md)\n")
    found = problems_of(make_site(dict([story("a", status="draft"), b])))
    assert any(
        "link to content/stories/a.md, which is not published (status is draft" in p for p in found
    )


def test_link_to_withdrawn_story_is_dropped_with_a_warning(make_site, tmp_path):
    b = ("content/stories/b.md", story("b")[1] + "\nRead [her story](a.md).\n")
    root = make_site(dict([story("a", status="withdrawn"), b]))
    assert any("warning" in p and "shown as plain text" in p for p in problems_of(root))
    html = _page(build_site(root, tmp_path / "out"), "b")
    assert "her story" in html and "/stories/a/" not in html


def test_markdown_extensions(make_site, tmp_path):
    body = (
        "\n## A heading\n\nText[^1]\n{: .lead }\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        "[^1]: A note.\n"
    )
    out = build_site(make_site({"content/stories/asha.md": story()[1] + body}), tmp_path / "out")
    html = _page(out)
    assert '<h2 id="a-heading">' in html
    assert "<table>" in html and 'class="footnote"' in html and 'class="lead"' in html


def test_markdown_image_needs_alt_and_is_re_encoded(make_site, tmp_path):
    from PIL import Image

    root = make_site({"content/stories/a/index.md": story("a")[1] + "\n![](pic.png)\n"})
    Image.new("RGB", (40, 20), "red").save(root / "content/stories/a/pic.png")
    assert any("image pic.png has no alt text" in p for p in problems_of(root))
    (root / "content/stories/a/index.md").write_text(story("a")[1] + "\n![A red box](pic.png)\n")
    html = _page(build_site(root, tmp_path / "out"), "a")
    assert 'width="40"' in html and 'height="20"' in html and "/media/pic-" in html
