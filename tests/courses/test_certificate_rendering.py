"""Certificate rendering without an app: the default template, the sandboxed placeholders,
the QR code, and WeasyPrint's locked-down URL fetcher (refused when saved, left out when met).

Real PDF renders are slow: the default template is rendered once for the module.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from weasyprint import CSS, HTML

from courses.certificates import rendering
from courses.certificates.default_template import DEFAULT_CSS, DEFAULT_HTML
from lms import ROOT

BASE = "https://cadence.test"
STATIC = ROOT / "static"


def context(**changes) -> rendering.CertificateContext:
    values = {"learner_name": "Rita Rep", "course_title": "Discovery Calls",
              "issued_on": date(2026, 3, 4), "issuer": "Cadence", "code": "abc123",
              "verify_url": f"{BASE}/verify/abc123", **changes}
    return rendering.CertificateContext(**values)


def check(html: str, css: str = "") -> bytes:
    return rendering.check_template(html, css, static_folder=STATIC, base_url=BASE)


@pytest.fixture(scope="module")
def default_pdf() -> bytes:
    return rendering.render_pdf(DEFAULT_HTML, DEFAULT_CSS, context(), static_folder=STATIC,
                                base_url=BASE).pdf


# --- rendering (no app, no database) ---------------------------------------------------------

def test_default_template_renders_one_landscape_a4_page(default_pdf):
    assert default_pdf.startswith(b"%PDF-")
    document = HTML(string=rendering.render_html(DEFAULT_HTML, context())).render(
        stylesheets=[CSS(string=DEFAULT_CSS)])
    assert len(document.pages) == 1
    page = document.pages[0]
    assert (round(page.width * 25.4 / 96), round(page.height * 25.4 / 96)) == (297, 210)


def test_html_escapes_every_value_and_carries_the_qr_code_of_the_verify_url():
    html = rendering.render_html(DEFAULT_HTML, context(learner_name="<script>x</script> & Co"))
    assert "&lt;script&gt;x&lt;/script&gt; &amp; Co" in html
    assert "<script>" not in html
    svg = re.search(r"<svg[^>]*class=\"qr-code\".*?</svg>", html, re.S)
    assert svg and f"<title>{BASE}/verify/abc123</title>" in svg.group(0)
    assert "4 March 2026" in html and "Discovery Calls" in html


@pytest.mark.parametrize(("html", "message"), [
    ("<p>{{ learner }}</p>", "Unknown placeholder: {{ learner }}"),
    ("<p>{{ name }} {{ title }}</p>", "Unknown placeholders: {{ name }}, {{ title }}"),
    ("<p>{% if learner_name %}</p>", "error (line 1)"),
    ("<p>{{ learner_name </p>", "error (line 1)"),
    ("<p>{{ learner_name|safe }}</p>", "No filter named 'safe'"),
    ('{% include "base.html" %}', "cannot include, import or extend"),
    ("<p>{{ learner_name.__class__ }}</p>", "does not render"),
])
def test_bad_template_is_refused_with_a_clear_message(html, message):
    with pytest.raises(rendering.TemplateError) as refused:
        check(html)
    assert message in refused.value.message


def test_fetcher_serves_static_files_and_data_uris_only():
    fetcher = rendering.StaticFetcher(STATIC, BASE)
    logo = fetcher.fetch(f"{BASE}/static/img/cadence.svg")
    assert logo.read().startswith(b"<svg") and logo.content_type == "image/svg+xml"
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"
    refused = ["file:///etc/passwd", "http://example.com/logo.png", "https://example.com/x",
               f"{BASE}/static/../pyproject.toml", f"{BASE}/static/%2e%2e/pyproject.toml",
               f"{BASE}/courses/", "https://cadence.test.example.com/static/img/cadence.svg",
               f"{BASE}/static/img/missing.png", "ftp://example.com/x"]
    for url in refused:
        with pytest.raises(rendering.ResourceRefused):
            fetcher.fetch(url)
    assert fetcher.refused == refused


@pytest.mark.parametrize(("html", "css", "field", "url"), [
    ('<img src="file:///etc/passwd">', "", "html", "file:///etc/passwd"),
    ('<img src="http://example.com/logo.png">', "", "html", "http://example.com/logo.png"),
    ('<svg><image href="file:///etc/hostname" width="9" height="9"/></svg>', "", "html",
     "file:///etc/hostname"),
    ("<p>x</p>", '@import url("https://fonts.example.com/a.css");', "css",
     "https://fonts.example.com/a.css"),
    ("<p>x</p>", "@font-face { font-family: X; src: url(file:///usr/share/fonts/x.ttf) } "
     "p { font-family: X }", "css", "file:///usr/share/fonts/x.ttf"),
])
def test_template_fetching_anything_but_static_files_is_refused_when_saved(html, css, field,
                                                                          url):
    with pytest.raises(rendering.TemplateError) as refused:
        check(html, css)
    assert refused.value.field == field
    assert url in refused.value.message and "/static/" in refused.value.message


def test_a_refused_resource_is_left_out_of_a_rendered_certificate():
    rendered = rendering.render_pdf('<p>{{ learner_name }}</p><img src="file:///etc/passwd">',
                                    "", context(), static_folder=STATIC, base_url=BASE)
    assert rendered.pdf.startswith(b"%PDF-")
    assert rendered.refused == ["file:///etc/passwd"]


def test_static_image_and_data_uri_are_allowed():
    assert check('<img src="/static/img/cadence.svg" alt=""><p>{{ code }}</p>'
                 '<img src="data:image/svg+xml;base64,PHN2Zy8+" alt="">').startswith(b"%PDF-")
