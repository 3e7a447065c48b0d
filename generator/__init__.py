"""storysite: a static site generator for survivor stories and impact pages.

The pipeline, in the order ``build.run`` calls it (each stage a module):

    config  → site.yaml into SiteConfig
    load    → site folder into SourceDoc values (front matter, key → line map, body)
    model   → SourceDoc into typed Story / Milestone / Page / Campaign / Gift (Corpus)
    gate    → Corpus into Published: the one place that decides what may be shown
    urls    → Published into Routes (URL and output path of every page)
    render  → Markdown bodies into HTML, relative .md links into URLs
    site    → SitePlan: every page to write, with its template and context
    write   → SitePlan into files in a staging folder
    release → staging folder into output/releases/<id>/ and an atomic switch of current

Around them: ``images`` and ``theme`` (services), ``build`` (the orchestrator),
``scaffold`` (new files), ``cli`` (argv, printing, exit codes).
"""

__version__ = "0.1.0"
