"""Pelican settings for the benchmark: the same page set as storysite from the same corpus.

bench/run.py copies this folder (with theme/ and plugins/) next to a copy of the corpus's
content/ and runs ``pelican content -s pelicanconf.py -o OUT``. Relative paths below are
relative to this file.
"""

AUTHOR = "Example Justice Mission"
SITENAME = "Stories of Hope (benchmark corpus)"
SITEURL = "https://stories.example.org"
DONATE_URL = "https://example.org/donate"
PATH = "content"
ARTICLE_PATHS = ["stories"]
PAGE_PATHS = ["milestones"]
STATIC_PATHS = []
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_DATE_FORMAT = "%-d %B %Y"
THEME = "theme"
PLUGIN_PATHS = ["plugins"]
PLUGINS = ["yaml_front_matter"]
READERS = {"html": None, "htm": None, "rst": None}
CACHE_CONTENT = False  # Pelican's defaults: no content cache between runs
LOAD_CONTENT_CACHE = False

DEFAULT_PAGINATION = 12
PAGINATED_TEMPLATES = {"index": None, "tag": None, "category": None}
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)

ARTICLE_URL = "stories/{slug}/"
ARTICLE_SAVE_AS = "stories/{slug}/index.html"
PAGE_URL = "milestones/{slug}/"
PAGE_SAVE_AS = "milestones/{slug}/index.html"
CATEGORY_URL = "countries/{slug}/"
CATEGORY_SAVE_AS = "countries/{slug}/index.html"
CATEGORIES_SAVE_AS = "countries/index.html"
TAG_URL = "tags/{slug}/"
TAG_SAVE_AS = "tags/{slug}/index.html"
TAGS_SAVE_AS = "tags/index.html"
INDEX_SAVE_AS = "stories/index.html"
INDEX_URL = "stories/"
DIRECT_TEMPLATES = ["index", "categories", "tags", "home", "impact", "sitemap", "404"]
HOME_SAVE_AS = "index.html"
IMPACT_SAVE_AS = "impact/index.html"
SITEMAP_SAVE_AS = "sitemap.xml"
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
DRAFT_SAVE_AS = ""
DRAFT_PAGE_SAVE_AS = ""

FEED_DOMAIN = SITEURL
FEED_ALL_ATOM = "feed.xml"
FEED_MAX_ITEMS = 20
FEED_ATOM = None
FEED_RSS = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
RSS_FEED_SUMMARY_ONLY = False
