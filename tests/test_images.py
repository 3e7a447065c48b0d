"""Published photos carry no metadata: GPS, EXIF, XMP, ICC comments, thumbnails."""

import io

from conftest import story
from helpers import build_site
from PIL import Image

from generator.images import ImagePlanner, encode

GPS = {1: "N", 2: (0.0, 20.0, 0.0), 3: "E", 4: (32.0, 35.0, 0.0)}


def _tagged_jpeg(path, size=(2400, 1200), orientation=None):
    img = Image.new("RGB", size, (200, 30, 30))
    img.paste((20, 20, 200), (0, 0, size[0] // 2, size[1]))  # left half blue
    exif = Image.Exif()
    exif[0x010F] = "ExampleCam"
    exif[0x8825] = GPS
    if orientation:
        exif[0x0112] = orientation
    img.save(path, "JPEG", exif=exif, comment=b"secret place")


def _assert_clean(data: bytes):
    with Image.open(io.BytesIO(data)) as img:
        assert not img.getexif(), "EXIF left in output"
        assert "exif" not in img.info and "xmp" not in img.info and "comment" not in img.info
        assert not any(k.startswith("XML:") for k in img.info)
    assert b"ExampleCam" not in data and b"secret place" not in data


def test_encode_strips_gps_and_resizes(tmp_path):
    _tagged_jpeg(tmp_path / "p.jpg")
    plan = ImagePlanner(tmp_path).plan("p.jpg")
    assert (plan.width, plan.height) == (1600, 800)
    data = encode(tmp_path, plan)
    _assert_clean(data)
    with Image.open(io.BytesIO(data)) as img:
        assert img.size == (1600, 800)


def test_orientation_is_applied_before_stripping(tmp_path):
    _tagged_jpeg(tmp_path / "p.jpg", size=(400, 200), orientation=6)  # rotate 90° on display
    plan = ImagePlanner(tmp_path).plan("p.jpg")
    assert (plan.width, plan.height) == (200, 400)
    with Image.open(io.BytesIO(encode(tmp_path, plan))) as img:
        assert img.size == (200, 400)
        assert img.getpixel((100, 10))[2] > 150  # the blue half is on top now


def test_every_output_image_of_a_build_is_clean(make_site, tmp_path):
    root = make_site(
        {"content/stories/a/index.md": story("a", image='\n  src: photo.jpg\n  alt: "A field"')[1]}
    )
    _tagged_jpeg(root / "content/stories/a/photo.jpg")
    out = build_site(root, tmp_path / "out")
    images = [p for p in out.rglob("*") if p.suffix in {".jpg", ".png", ".webp"}]
    assert images, "the story photo was not published"
    for path in images:
        _assert_clean(path.read_bytes())
    original = (root / "content/stories/a/photo.jpg").read_bytes()
    assert all(p.read_bytes() != original for p in out.rglob("*") if p.is_file())


def test_not_an_image_is_a_clear_error(make_site):
    from helpers import problems_of

    root = make_site(
        {
            "content/stories/a/index.md": story("a", image='\n  src: photo.jpg\n  alt: "A field"')[
                1
            ],
            "content/stories/a/photo.jpg": b"this is text",
        }
    )
    assert any(
        "content/stories/a/index.md:11: image.src: not a readable image" in p
        for p in problems_of(root)
    )


def test_static_photos_are_stripped_but_keep_their_name(make_site, tmp_path):
    root = make_site(dict([story()]))
    (root / "static").mkdir()
    _tagged_jpeg(root / "static/team.jpg", size=(300, 200))
    (root / "static/report.txt").write_text("annual report")
    out = build_site(root, tmp_path / "out")
    _assert_clean((out / "team.jpg").read_bytes())
    assert (out / "report.txt").read_text() == "annual report"
