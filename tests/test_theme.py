from types import SimpleNamespace

from conftest import story
from helpers import build_site, problems_of

from generator.theme import bignumber, metric_value, money, number


def test_numbers_for_people():
    assert number(76063) == "76,063"
    assert bignumber(7_300_000) == "7.3 million"
    assert bignumber(2_000_000) == "2 million"
    assert bignumber(950) == "950"
    assert money(35, "USD") == "$35"
    assert money(1_250_000, "USD", short=True) == "$1.25 million"
    assert money(10, "KES") == "10 KES"
    assert metric_value(SimpleNamespace(value=79, unit="percent")) == "79%"


def test_site_templates_override_built_in_ones_by_name(make_site, tmp_path):
    root = make_site(dict([story()]))
    (root / "templates").mkdir()
    (root / "templates" / "404.html").write_text("<p>Our own {{ site.title }} 404</p>\n")
    out = build_site(root, tmp_path / "out")
    assert (out / "404.html").read_text() == "<p>Our own Test Site 404</p>\n"
    assert "<!doctype html>" in (out / "index.html").read_text().lower()


def test_template_syntax_error_names_template_and_line(make_site):
    root = make_site(dict([story()]))
    (root / "templates").mkdir()
    (root / "templates" / "page.html").write_text("ok\n{% if %}\n")
    assert any(p.startswith("templates/page.html:2: template error") for p in problems_of(root))


def _failed_with_template(make_site, tmp_path, name, text):
    """The problems of a build whose site has one template of its own; nothing written."""
    import pytest

    from generator.errors import BuildFailed

    root = make_site(dict([story()]))
    (root / "templates").mkdir()
    (root / "templates" / name).write_text(text)
    with pytest.raises(BuildFailed) as failed:
        build_site(root, tmp_path / "out")
    assert not (tmp_path / "out" / "current").exists()
    assert not list((tmp_path / "out").glob(".staging-*"))
    return failed.value.problems


def test_undefined_variable_is_an_error_and_nothing_is_written(make_site, tmp_path):
    problems = _failed_with_template(make_site, tmp_path, "404.html", "line\n{{ no_such_thing }}\n")
    assert problems[0].format().startswith("templates/404.html:2: template error")


def test_front_matter_is_never_a_template(make_site, tmp_path):
    out = build_site(make_site(dict([story(title='"{{ 7*7 }} <b>x</b>"')])), tmp_path / "out")
    html = (out / "stories/asha/index.html").read_text()
    assert "{{ 7*7 }}" in html and "49" not in html and "<b>x</b>" not in html


def test_listing_cards_show_pseudonym_and_warning(make_site, tmp_path):
    files = dict(
        [
            story(
                "a",
                survivor="\n  name: Rosa\n  pseudonym: true",
                content_warning='"Mentions violence."',
            )
        ]
    )
    out = build_site(make_site(files), tmp_path / "out")
    for page in ("stories/index.html", "index.html", "countries/uganda/index.html"):
        html = (out / page).read_text()
        assert "Rosa*" in html and "Mentions violence." in html, page
    story_page = (out / "stories/a/index.html").read_text()
    assert story_page.find("Mentions violence.") < story_page.find("The story of a.")


def test_drafts_are_marked_in_a_drafts_build(make_site, tmp_path):
    out = build_site(make_site(dict([story("a", status="draft")])), tmp_path / "out", drafts=True)
    html = (out / "stories/a/index.html").read_text().lower()
    assert "draft" in html and "preview" in html


def test_templates_compile_again_when_their_text_changes(make_site, tmp_path, monkeypatch):
    import jinja2
    import pytest

    from generator.errors import BuildFailed

    root = make_site(dict([story()]))
    out = tmp_path / "out"
    (root / "templates").mkdir()
    (root / "templates" / "page.html").write_text("{% extends 'base.html' %}\n")
    build_site(root, out)
    compiled: list[str] = []
    real = jinja2.Environment.get_template

    def counting(self, name, *args, **kwargs):
        compiled.append(name)
        return real(self, name, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "get_template", counting)
    (root / "content/stories/asha.md").touch()
    build_site(root, out)
    assert "page.html" not in compiled  # the same text compiled before: not checked again
    (root / "templates" / "page.html").write_text("ok\n{% if %}\n")
    with pytest.raises(BuildFailed) as failed:
        build_site(root, out)
    assert failed.value.problems[0].format().startswith("templates/page.html:2: template error")
    with pytest.raises(BuildFailed):  # a failed check is never remembered as passed
        build_site(root, out)


def test_a_sites_own_templates_run_in_the_sandbox(make_site, tmp_path):
    escape = "{{ cycler.__init__.__globals__.os.getcwd() }}\n"
    (problem,) = _failed_with_template(make_site, tmp_path, "404.html", escape)
    assert problem.path == "templates/404.html" and "unsafe" in problem.message


def test_the_built_in_theme_alone_runs_without_the_sandbox(make_site):
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    from generator.config import load_config
    from generator.errors import Problems
    from generator.theme import environment

    root = make_site(dict([story()]))
    config = load_config(root, Problems())
    assert config is not None
    assert type(environment(root, config)) is jinja2.Environment
    (root / "templates").mkdir()
    assert isinstance(environment(root, config), SandboxedEnvironment)  # even if empty


def test_storysites_own_functions_are_called_directly_and_others_as_jinja_does(make_site):
    import jinja2

    from generator.config import load_config
    from generator.errors import Problems
    from generator.theme import environment, plain_functions

    root = make_site(dict([story()]))
    config = load_config(root, Problems())
    assert config is not None
    env = environment(root, config)
    seen = []

    def href(url):
        seen.append(url)
        return "/" + url

    @jinja2.pass_context
    def where(context, name):
        return f"{name} on {context['page']}"

    plain_functions(env, href)
    env.globals.update(href=href, where=where)
    template = env.from_string(
        "{% for u in urls %}{{ href(u) }} {% endfor %}{% block b %}{{ href('b') }}{% endblock %}"
        "{{ where('x') }}{% for _ in [1] %}{{ where('y') }}{% endfor %}"
    )
    # in loops and blocks Jinja adds its own arguments, which a direct call must drop;
    # a function that asks for the context still gets it
    html = template.render(urls=["a/", "c/"], page="home")
    assert html == "/a/ /c/ /bx on homey on home"
    assert seen == ["a/", "c/", "b"]
