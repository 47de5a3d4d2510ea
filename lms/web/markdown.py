"""Markdown to safe HTML (lessons, questions, messages, notes): no scripts, no event handlers,
no javascript: links."""

from __future__ import annotations

import markdown
import nh3

MAX_MARKDOWN = 200_000
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "h1", "br", "code", "dd", "del", "details", "dl", "dt", "em",
    "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "s",
    "strong", "sub", "summary", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "abbr": {"title"},
}
ALLOWED_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str) -> str:
    """Render Markdown and keep only safe tags, attributes and URL schemes."""
    if len(text) > MAX_MARKDOWN:
        raise ValueError(f"the text is longer than {MAX_MARKDOWN:,} characters")
    html = markdown.markdown(text, extensions=["tables", "fenced_code", "sane_lists"],
                             output_format="html")
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes=ALLOWED_SCHEMES, link_rel="noopener noreferrer nofollow")
