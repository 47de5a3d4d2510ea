"""Certificate PDFs as other programs read them (pypdf): metadata, PDF/A-3b, tags, the link.

Real renders are slow: each template is rendered once for the module.
"""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader

from courses.certificates import rendering
from courses.certificates.default_template import DEFAULT_CSS, DEFAULT_HTML
from lms import ROOT
from tests import factories

BASE = "https://cadence.example.com"
STATIC = ROOT / "static"
CODE = "Qk3vT9xYb2LmN8pR4sW6zA1cD5eF7gHj"  # 32 characters, like services.new_code()
VERIFY = f"{BASE}/verify/{CODE}"
ADMIN_HTML = ('<html lang="fr"><head><title>Ignored</title></head><body>'
              "<h1>{{ course_title }}</h1><p>{{ learner_name }}</p>{{ qr_code }}"
              '<p><a href="{{ verify_url }}">{{ verify_url }}</a></p></body></html>')


def context(**changes) -> rendering.CertificateContext:
    values = {"learner_name": "Zoë Ångström-Müller", "course_title": "Discovery Calls",
              "issued_on": date(2026, 3, 4), "issuer": "Northwind Sales Academy",
              "code": CODE, "verify_url": VERIFY, **changes}
    return rendering.CertificateContext(**values)


def render(html: str, css: str = "") -> PdfReader:
    pdf = rendering.render_pdf(html, css, context(), static_folder=STATIC, base_url=BASE).pdf
    return PdfReader(io.BytesIO(pdf))


@pytest.fixture(scope="module")
def default() -> PdfReader:
    return render(DEFAULT_HTML, DEFAULT_CSS)


@pytest.fixture(scope="module")
def admins() -> PdfReader:
    """A template an admin wrote: a whole document with its own title and language."""
    return render(ADMIN_HTML, "@page { size: A4 landscape }")


def pdfa_identification(reader: PdfReader) -> tuple[str | None, str | None]:
    """The PDF/A part and conformance level in the XMP metadata."""
    xmp = reader.xmp_metadata
    return (xmp.pdfaid_part, xmp.pdfaid_conformance) if xmp else (None, None)


def test_metadata_names_the_certificate_its_issuer_date_and_language(default):
    info = default.metadata

    assert info.title == "Certificate of Completion: Discovery Calls"
    assert info.author == "Northwind Sales Academy"
    assert info.subject == ("Zoë Ångström-Müller completed Discovery Calls, issued by "
                            f"Northwind Sales Academy on 4 March 2026. Verify it at {VERIFY}")
    assert info["/CreationDate"].startswith("D:20260304")
    assert info.creator == "Cadence"
    assert default.trailer["/Root"]["/Lang"] == "en"


def test_it_is_pdf_a_3b_with_an_srgb_output_intent_and_every_font_embedded(default):
    assert pdfa_identification(default) == ("3", "B")
    assert default.pdf_header == "%PDF-1.7"
    (intent,) = default.trailer["/Root"]["/OutputIntents"]
    assert intent["/S"] == "/GTS_PDFA1" and intent["/DestOutputProfile"].get_object()
    fonts = default.pages[0]["/Resources"]["/Font"]
    assert fonts
    for font in fonts.values():
        font = font.get_object()
        descriptor = (font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font
                      else font)["/FontDescriptor"]
        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), font["/BaseFont"]


def test_it_is_tagged_for_screen_readers(default):
    root = default.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root["/StructTreeRoot"].get_object()["/K"]


def test_the_verification_url_is_a_link(default):
    links = [annotation.get_object() for annotation in default.pages[0]["/Annots"]]

    assert links and {link["/Subtype"] for link in links} == {"/Link"}
    assert {link["/A"]["/URI"] for link in links} == {VERIFY}


@pytest.mark.parametrize("base", ["https://cadence.test", f"https://{'a' * 30}.example.com"])
def test_the_code_is_never_broken_across_lines(base):
    """A code may hold - or _; the address may break before the code, never inside it."""
    code = "Qk3vT9xYb2LmN8pR4-W6zA1cD5eF7_Hj"
    values = {"code": code, "verify_url": f"{base}/verify/{code}"}
    pdf = rendering.render_pdf(DEFAULT_HTML, DEFAULT_CSS, context(**values),
                               static_folder=STATIC, base_url=base).pdf

    lines = PdfReader(io.BytesIO(pdf)).pages[0].extract_text().splitlines()

    assert lines[-3:] == [f"{base}/verify/", code, f"Code {code}"]


def test_rendering_fetches_nothing_for_pdf_a(monkeypatch):
    """The fonts and the ICC profile come with WeasyPrint and the system, not the fetcher."""
    fetched = []
    original = rendering.StaticFetcher.fetch
    monkeypatch.setattr(rendering.StaticFetcher, "fetch",
                        lambda self, url, headers=None: fetched.append(url) or original(
                            self, url, headers))

    rendered = rendering.render_pdf(DEFAULT_HTML, DEFAULT_CSS, context(),
                                    static_folder=STATIC, base_url=BASE)

    assert fetched == [] and rendered.refused == []


def test_an_admins_template_renders_as_pdf_a_with_our_metadata_and_its_language(admins):
    assert pdfa_identification(admins) == ("3", "B")
    assert admins.metadata.title == "Certificate of Completion: Discovery Calls"
    assert admins.metadata.author == "Northwind Sales Academy"
    assert admins.trailer["/Root"]["/Lang"] == "fr"
    assert "/StructTreeRoot" in admins.trailer["/Root"]
    uris = {a.get_object()["/A"]["/URI"] for a in admins.pages[0]["/Annots"]}
    assert uris == {VERIFY}


def test_a_template_with_a_static_image_still_renders_as_pdf_a(monkeypatch):
    fetched = []
    original = rendering.StaticFetcher.fetch
    monkeypatch.setattr(rendering.StaticFetcher, "fetch",
                        lambda self, url, headers=None: fetched.append(url) or original(
                            self, url, headers))

    reader = render('<img src="/static/img/cadence.svg" alt="Cadence">'
                    "<p>{{ learner_name }}</p>")

    assert fetched == [f"{BASE}/static/img/cadence.svg"]  # the one file, from the app
    assert pdfa_identification(reader) == ("3", "B")


def test_a_template_without_a_language_renders_without_weasyprint_errors(caplog):
    """Tagging needs the document's language: a fragment gets the app's, not an error."""
    with caplog.at_level("WARNING", logger="weasyprint"):
        reader = render("<p>{{ learner_name }}</p>")

    assert reader.trailer["/Root"]["/Lang"] == "en"
    assert [record.getMessage() for record in caplog.records
            if record.name.startswith("weasyprint")] == []


def test_an_admins_template_preview_is_a_pdf_a_with_the_link(client, login, session):
    """The template form's preview renders what an admin typed, through the app."""
    login(factories.admin())

    response = client.post("/certificates/templates/preview", data={
        "name": "Branded", "html": ADMIN_HTML, "css": "@page { size: A4 landscape }"})

    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    assert pdfa_identification(reader) == ("3", "B")
    assert reader.metadata.title == ("Certificate of Completion: Coaching Rhythm for Sales "
                                     "Managers")
    uris = {a.get_object()["/A"]["/URI"] for a in reader.pages[0]["/Annots"]}
    assert uris == {f"https://cadence.test/verify/{rendering.SAMPLE_CODE}"}
