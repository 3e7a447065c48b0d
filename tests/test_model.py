from conftest import story
from helpers import problems_of


def test_valid_story_has_no_problems(make_site):
    assert problems_of(make_site(dict([story()]))) == []


def test_unknown_field_names_its_line_and_suggests(make_site):
    root = make_site(dict([story(sumary='"typo"')]))
    [line] = [p for p in problems_of(root) if "unknown field" in p]
    assert line.startswith("content/stories/asha.md:10: sumary: unknown field")
    assert "did you mean 'summary'?" in line


def test_unknown_field_with_a_bracket_in_its_name_is_named(make_site):
    # a bracket was taken for pydantic's own mark of a union member: no name, a crash
    root = make_site(dict([story(**{"x[": '"y"'})]))
    [line] = [p for p in problems_of(root) if "unknown field" in p]
    assert line.startswith("content/stories/asha.md:10: x[: unknown field")


def test_missing_required_field(make_site):
    root = make_site(dict([story(summary=None)]))
    assert any(
        p.startswith("content/stories/asha.md:1: summary: required field is missing")
        for p in problems_of(root)
    )


def test_every_problem_of_a_build_is_reported_at_once(make_site):
    root = make_site(
        dict(
            [
                story("a", country="Ugnada"),
                story("b", injustice="[land-thef]"),
                story("c", date="2024-02-30"),
            ]
        )
    )
    found = problems_of(root)
    assert any(
        "a.md:5: country: unknown country 'Ugnada'; did you mean 'Uganda'?" in p for p in found
    )
    assert any("b.md:6: injustice[0]:" in p and "did you mean 'land-theft'?" in p for p in found)
    assert any("c.md:3: date:" in p for p in found)


def test_country_spellings_from_iso_3166(make_site):
    files = dict(
        [
            story("a", country="Bolivia"),
            story("b", country='"Côte d\'Ivoire"'),
            story("c", country="Vietnam"),
            story("d", country="Dominican Republic"),
        ]
    )
    assert problems_of(make_site(files)) == []


def test_numbers_are_not_dates(make_site):
    root = make_site(dict([story(date="20240305")]))
    assert any("date: '20240305' is not a date" in p for p in problems_of(root))


def test_image_needs_alt(make_site):
    root = make_site(dict([story(image="\n  src: photo.jpg")]))
    assert any("image.alt is required" in p for p in problems_of(root))


def test_missing_image_file(make_site):
    root = make_site(dict([story(image='\n  src: gone.jpg\n  alt: "x"')]))
    assert any(
        "asha.md:11: image.src: image file 'gone.jpg' not found" in p for p in problems_of(root)
    )


def test_image_path_climbing_out(make_site):
    root = make_site(dict([story(image='\n  src: ../../site.yaml\n  alt: "x"')]))
    assert any("points outside the content folder" in p for p in problems_of(root))


def test_duplicate_slugs(make_site):
    a = story("a", slug="same")
    b = story("b", slug="same")
    assert any("slug 'same' is already used" in p for p in problems_of(make_site(dict([a, b]))))


def test_related_must_name_a_story(make_site):
    root = make_site(dict([story(related="[nobody]")]))
    assert any(
        "asha.md:10: related[0]: no story has the slug 'nobody'" in p for p in problems_of(root)
    )


def test_video_host_allow_list(make_site):
    root = make_site(dict([story(video="\n  url: https://evil.example/v.mp4")]))
    assert any("video host 'evil.example' is not allowed" in p for p in problems_of(root))


def test_milestone_dates_year_month_day(make_site):
    files = {
        f"content/milestones/m{i}.md": f"---\ntitle: M\ndate: {d}\nkind: rescue\n---\n"
        for i, d in enumerate(["1997", "2010-06", "2011-02-03"])
    }
    files["content/milestones/bad.md"] = "---\ntitle: M\ndate: 2010-13\n---\n"
    found = problems_of(make_site(files))
    assert len(found) == 1 and "bad.md:3: date:" in found[0]


def test_gift_data_is_validated_with_lines(make_site):
    root = make_site(
        {"content/data/gifts.yaml": "- amount: 5\n  provides: x\n- amount: -1\n  provides: y\n"}
    )
    assert any(p.startswith("content/data/gifts.yaml:3: amount:") for p in problems_of(root))


def test_site_yaml_problems_are_located(make_site):
    from conftest import SITE_YAML

    root = make_site(dict([story()]), site_yaml=SITE_YAML.replace("language: en", "langauge: en"))
    assert any(p.startswith("site.yaml:3: langauge: unknown field") for p in problems_of(root))
