"""The documentation site builds strictly and fetches nothing from another site when read.

``mkdocs build --strict`` fails on a broken link, anchor or picture. The built pages are then
read for stylesheets, scripts, fonts and pictures that would be fetched from elsewhere (web
fonts from Google, a CDN): the site must work on a machine with no network. Links a reader
clicks (``<a href>``) are not fetched and may point anywhere. The README's pointers into the
site are checked too.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Attributes whose URL the browser fetches by itself when it shows the page.
FETCHED = {"link": "href", "script": "src", "img": "src", "source": "src", "iframe": "src",
           "video": "src", "audio": "src", "embed": "src", "object": "data"}
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
CSS_URL = re.compile(r"""(?:@import\s+|url\(\s*)["']?((?:[a-z][a-z0-9+.-]*:)?//[^"')\s]+)""",
                     re.IGNORECASE)
FONT_HOSTS = ("fonts.googleapis.com", "fonts.gstatic.com")


class _FetchedUrls(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        name = FETCHED.get(tag)
        if name and values.get(name):
            self.urls.append(values[name])
        if values.get("srcset"):
            self.urls.extend(part.split()[0] for part in values["srcset"].split(","))
        if values.get("style"):
            self.urls.extend(CSS_URL.findall(values["style"]))
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.urls.extend(CSS_URL.findall(data))


def external_fetches(html: str) -> list[str]:
    """The URLs on another site that a browser would fetch to show ``html``."""
    parser = _FetchedUrls()
    parser.feed(html)
    return [url for url in parser.urls if EXTERNAL.match(url.strip())]


def external_css_fetches(css: str) -> list[str]:
    return CSS_URL.findall(css)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(  # noqa: S603  (a fixed command)
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def test_the_checks_find_a_stylesheet_script_or_font_from_elsewhere():
    page = """<html><head>
      <link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">
      <link rel="preconnect" href="//fonts.gstatic.com">
      <script src="https://cdn.jsdelivr.net/npm/x.js"></script>
      <link rel="stylesheet" href="../assets/main.css"><script src="assets/local.js"></script>
      <style>@import url("https://example.com/a.css");</style>
      </head><body><a href="https://example.com/">a link is not fetched</a>
      <img src="img/local.png"></body></html>"""
    assert external_fetches(page) == [
        "https://fonts.googleapis.com/css?family=Roboto", "//fonts.gstatic.com",
        "https://cdn.jsdelivr.net/npm/x.js", "https://example.com/a.css"]
    assert external_css_fetches(
        '@font-face{src:url(https://fonts.gstatic.com/s/roboto.woff2)} a{b:url("img/x.svg")}'
    ) == ["https://fonts.gstatic.com/s/roboto.woff2"]


def test_the_site_uses_the_material_theme_without_web_fonts(site):
    config = (ROOT / "mkdocs.yml").read_text()
    assert re.search(r"^\s+name: material$", config, re.MULTILINE)
    assert re.search(r"^\s+font: false$", config, re.MULTILINE)
    assert (site / "assets" / "stylesheets").is_dir()


def test_no_page_fetches_a_stylesheet_script_or_font_from_another_site(site):
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 20
    found = {}
    for page in pages:
        html = page.read_text(encoding="utf-8")
        urls = external_fetches(html)
        urls += [host for host in FONT_HOSTS if host in html]
        if urls:
            found[str(page.relative_to(site))] = urls
    for sheet in sorted(site.rglob("*.css")):
        urls = external_css_fetches(sheet.read_text(encoding="utf-8"))
        if urls:
            found[str(sheet.relative_to(site))] = urls
    assert found == {}


def test_the_readme_points_at_pages_that_exist():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\((?!https?:|#)([^)#\s]+)", readme)
    assert "docs/index.md" in targets
    missing = [target for target in targets if not (ROOT / target).exists()]
    assert missing == []
