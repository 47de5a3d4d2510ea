"""Certificate templates to HTML and PDF: no database, no request, no network.

A template is HTML (a Jinja template run in a sandbox, every value HTML-escaped) plus CSS,
with the named placeholders of ``PLACEHOLDERS``. ``check_template`` is what saving a template
runs: it refuses unknown placeholders, syntax errors, includes, a render that fails and any
resource that is not one of the app's own static files. WeasyPrint fetches through
``StaticFetcher``, which serves ``<base URL>/static/...`` from the static folder and ``data:``
URIs, and refuses everything else (``file:``, ``http(s):``, other hosts, other paths).
"""

from __future__ import annotations

import mimetypes
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import DataHandler, Request

import segno
from jinja2 import StrictUndefined, meta, nodes
from jinja2 import TemplateError as JinjaError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

PLACEHOLDERS: dict[str, str] = {
    "learner_name": "The learner's name as it was when the certificate was issued",
    "course_title": "The course's title when the certificate was issued",
    "issued_on": "The date of issue, such as 4 March 2026",
    "issuer": "Who issues the certificate (CADENCE_CERTIFICATE_ISSUER)",
    "code": "The certificate's unique verification code",
    "verify_url": "The public address where anyone can check the code; write "
                  "<a href=\"{{ verify_url }}\">…</a> to make it a link in the PDF",
    "qr_code": "A QR code (inline SVG) of the verification address",
}
MAX_HTML = 100_000
MAX_CSS = 100_000
STATIC_PREFIX = "/static/"
VERIFY_PATH = "/verify/"
SAMPLE_CODE = "SAMPLE-c0deSh0wnOnlyInPreviews"
LANGUAGE = "en"  # the language of the built-in template and of the app's own words
# PDF/A-3b so certificates archive: WeasyPrint embeds every font (subsets of the system's
# or of /static/ files) and its own sRGB output intent, so nothing is fetched for it.
# Tagged too, so screen readers get the reading order, headings and the link; PDF/A-3b
# neither needs nor forbids tags.
PDF_OPTIONS = {"pdf_variant": "pdf/a-3b", "pdf_tags": True}


class TemplateError(ValueError):
    """A template that cannot be saved; ``field`` is ``html`` or ``css``."""

    def __init__(self, message: str, *, field: str = "html"):
        super().__init__(message)
        self.message = message
        self.field = field


class ResourceRefused(ValueError):
    """The fetcher refused a URL (WeasyPrint logs it and leaves the resource out)."""


@dataclass(frozen=True)
class CertificateContext:
    """The plain values a certificate shows."""

    learner_name: str
    course_title: str
    issued_on: date
    issuer: str
    code: str
    verify_url: str

    def values(self) -> dict:
        """The placeholder values; every one is escaped except the QR code's SVG."""
        values = asdict(self)
        values["issued_on"] = format_date(self.issued_on)
        values["qr_code"] = qr_svg(self.verify_url)
        return values


def format_date(day: date) -> str:
    return f"{day.day} {day.strftime('%B %Y')}"


def verify_url(base_url: str, code: str) -> str:
    """The public verification address, from the configured base URL (never the Host)."""
    return base_url.rstrip("/") + VERIFY_PATH + code


def sample_context(base_url: str, *, issuer: str = "Cadence") -> CertificateContext:
    """Values for previews: an invented learner and course."""
    return CertificateContext(
        learner_name="Dana Reyes", course_title="Coaching Rhythm for Sales Managers",
        issued_on=date(2026, 3, 4), issuer=issuer, code=SAMPLE_CODE,
        verify_url=verify_url(base_url, SAMPLE_CODE))


def qr_svg(url: str) -> Markup:
    """An inline SVG QR code of ``url``, titled with the URL itself (for screen readers)."""
    code = segno.make(url, error="m")
    # segno writes only path data and the XML-escaped title.
    return Markup(code.svg_inline(  # noqa: S704
        scale=4, border=0, dark="#1b2a41", title=url, svgclass="qr-code"))


# --- the sandboxed template ------------------------------------------------------------------

def _environment() -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(autoescape=True, undefined=StrictUndefined)
    # |safe would let a learner's name through unescaped.
    env.filters.pop("safe", None)
    return env


_ENV = _environment()
ALLOWED_NAMES = frozenset(PLACEHOLDERS) | frozenset(_ENV.globals)


def _compile(html: str):
    if len(html) > MAX_HTML:
        raise TemplateError(f"The HTML is longer than {MAX_HTML:,} characters.")
    try:
        tree = _ENV.parse(html)
        names = meta.find_undeclared_variables(tree)  # also checks filters and tests exist
    except JinjaError as error:
        line = getattr(error, "lineno", None)
        where = f" (line {line})" if line else ""
        raise TemplateError(f"The template has an error{where}: {error.message}") from None
    unknown = sorted(names - ALLOWED_NAMES)
    if unknown:
        listed = ", ".join(f"{{{{ {name} }}}}" for name in unknown)
        raise TemplateError(f"Unknown placeholder{'s' if len(unknown) > 1 else ''}: {listed}. "
                            f"A template may use: {', '.join(PLACEHOLDERS)}.")
    if any(True for _ in tree.find_all((nodes.Extends, nodes.Include, nodes.Import,
                                        nodes.FromImport))):
        raise TemplateError("A certificate template cannot include, import or extend "
                            "other templates.")
    return _ENV.from_string(tree)


def render_html(html: str, context: CertificateContext) -> str:
    """Fill the template's placeholders; raise ``TemplateError`` when it does not render."""
    template = _compile(html)
    try:
        return template.render(context.values())
    except JinjaError as error:
        raise TemplateError(f"The template does not render: {error.message}") from None


# --- the locked-down URL fetcher -------------------------------------------------------------

class StaticFetcher(URLFetcher):
    """Serve only the app's static files and ``data:`` URIs; refuse and record the rest."""

    def __init__(self, static_folder: str | Path, base_url: str):
        super().__init__(allowed_protocols=(), allow_redirects=False)
        self.root = Path(static_folder).resolve()
        self.prefix = base_url.rstrip("/") + STATIC_PREFIX
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        try:
            if url.startswith("data:"):
                return self._data(url)
            if url.startswith(self.prefix):
                return self._static(url)
            raise ResourceRefused("only the app's own /static/ files and data: URIs")
        except ResourceRefused:
            self.refused.append(url)
            raise

    def _data(self, url: str) -> URLFetcherResponse:
        try:
            response = DataHandler().data_open(Request(url))  # noqa: S310  (data: only)
        except ValueError as error:
            raise ResourceRefused(f"bad data: URI ({error})") from None
        return URLFetcherResponse(url, response.read(), {
            "Content-Type": response.headers.get("Content-Type", "text/plain")})

    def _static(self, url: str) -> URLFetcherResponse:
        relative = unquote(urlsplit(url).path)[len(urlsplit(self.prefix).path):]
        path = (self.root / relative).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            raise ResourceRefused("not a static file")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})


@dataclass
class Rendered:
    pdf: bytes
    refused: list[str] = field(default_factory=list)


def describe(document, context: CertificateContext, language: str) -> None:
    """Set the PDF's metadata from the certificate, whatever the template's <head> says."""
    metadata = document.metadata
    metadata.title = f"Certificate of Completion: {context.course_title}"
    metadata.authors = [context.issuer]
    metadata.description = (f"{context.learner_name} completed {context.course_title}, "
                            f"issued by {context.issuer} on {format_date(context.issued_on)}. "
                            f"Verify it at {context.verify_url}")
    metadata.keywords = ["certificate", context.code]
    metadata.generator = "Cadence"
    metadata.created = context.issued_on.isoformat()  # the same in /Info and in XMP
    metadata.modified = None
    metadata.lang = metadata.lang or language  # a template's own <html lang> wins


def render_pdf(html: str, css: str, context: CertificateContext, *, static_folder: str | Path,
               base_url: str, language: str = LANGUAGE) -> Rendered:
    """Render a certificate to PDF; resources the fetcher refused are left out and listed."""
    document = render_html(html, context)
    fetcher = StaticFetcher(static_folder, base_url)
    fonts = FontConfiguration()  # system fonts, plus @font-face files under /static/
    base = base_url.rstrip("/") + "/"
    stylesheets = ([CSS(string=css, base_url=base, url_fetcher=fetcher, font_config=fonts)]
                   if css.strip() else [])
    rendered = HTML(string=document, base_url=base, url_fetcher=fetcher).render(
        stylesheets=stylesheets, font_config=fonts, **PDF_OPTIONS)
    describe(rendered, context, language)
    return Rendered(rendered.write_pdf(**PDF_OPTIONS), fetcher.refused)


def check_template(html: str, css: str, *, static_folder: str | Path, base_url: str,
                   issuer: str = "Cadence") -> bytes:
    """Refuse a template that would not make a sound certificate; return its sample PDF."""
    if len(css) > MAX_CSS:
        raise TemplateError(f"The CSS is longer than {MAX_CSS:,} characters.", field="css")
    try:
        rendered = render_pdf(html, css, sample_context(base_url, issuer=issuer),
                              static_folder=static_folder, base_url=base_url)
    except TemplateError:
        raise
    except Exception as error:  # WeasyPrint's own failures: report them, never crash the form
        raise TemplateError(f"WeasyPrint could not render the template: {error}") from None
    if rendered.refused:
        refused = sorted(set(rendered.refused))
        # Both parts fetch through one fetcher; a URL written in the CSS points there.
        in_css = any(url in css for url in refused)
        raise TemplateError(
            f"The template refers to {', '.join(refused[:3])}. Certificates may only use "
            f"the app's own files under {STATIC_PREFIX} and data: URIs: no file: addresses, "
            "no other sites.", field="css" if in_css else "html")
    return rendered.pdf
