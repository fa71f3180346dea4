"""Render a Report as one self-contained HTML page (figures embedded as data URIs, no network)."""

from __future__ import annotations

import base64
import html
import re

from colossim.report.document import Bullets, Figure, Paragraph, Report, Section, Table

_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;
color:#1d2330;line-height:1.45}
h1{margin-bottom:.1em}.subtitle{color:#5a6275;margin-top:0}
nav ol{columns:2;font-size:.95em}
section{border-top:1px solid #d9dde6;margin-top:2em;padding-top:.5em}
.scroll{overflow-x:auto}
table{border-collapse:collapse;font-size:.88em;margin:.5em 0 1.2em 0}
th,td{border:1px solid #d9dde6;padding:.25em .6em;text-align:right;vertical-align:top}
th{background:#f1f3f8}td:first-child,th:first-child{text-align:left;white-space:nowrap}
td.text{text-align:left;max-width:40em}td.text:first-child{max-width:none}
figure{margin:1em 0 1.5em 0}figure img{max-width:100%;border:1px solid #e4e7ee}
figcaption{color:#3d4558;font-size:.92em}.tcap{color:#3d4558;font-size:.92em;margin:.2em 0}
ul.facts li{margin:.15em 0}
"""

# Marks the page once every figure has decoded, and counts script errors: the browser test reads both.
_CHECK_SCRIPT = """
window.__errors = 0;
window.addEventListener('error', function(){ window.__errors += 1;
  document.body.setAttribute('data-js-errors', String(window.__errors)); });
window.addEventListener('load', function(){
  var imgs = Array.prototype.slice.call(document.images);
  var ok = imgs.every(function(i){ return i.complete && i.naturalWidth > 0; });
  document.body.setAttribute('data-figures', String(imgs.length));
  document.body.setAttribute('data-figures-ok', ok ? 'yes' : 'no');
  document.body.setAttribute('data-js-errors', String(window.__errors));
});
"""


_NUMBER = re.compile(r"^[-+]?[\d,.]+ ?%?$|^-$|^\d{4}-\d{2}-\d{2}$")  # right-aligned cells


def _cell(text: str) -> str:
    css = "" if _NUMBER.match(text) else ' class="text"'
    return f"<td{css}>{html.escape(text)}</td>"


def _table(t: Table) -> str:
    header, body = t.display()
    head = "".join(f"<th>{html.escape(c)}</th>" for c in header)
    rows = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in body)
    return (f'<h3>{html.escape(t.title)}</h3><p class="tcap">{html.escape(t.caption)}</p>'
            f'<div class="scroll"><table id="table-{html.escape(t.name)}"><thead><tr>{head}</tr></thead>'
            f"<tbody>{rows}</tbody></table></div>")


def _figure(f: Figure) -> str:
    data = base64.b64encode(f.png).decode("ascii")
    return (f'<figure id="figure-{html.escape(f.name)}"><h3>{html.escape(f.title)}</h3>'
            f'<img alt="{html.escape(f.title)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{html.escape(f.caption)}</figcaption></figure>")


def _block(block: object) -> str:
    if isinstance(block, Paragraph):
        return f"<p>{html.escape(block.text)}</p>"
    if isinstance(block, Bullets):
        return '<ul class="facts">' + "".join(f"<li>{html.escape(i)}</li>" for i in block.items) + "</ul>"
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Figure):
        return _figure(block)
    raise TypeError(f"unknown report block {type(block).__name__}")


def _section(s: Section) -> str:
    parts = "".join(_block(b) for b in s.blocks)
    return f'<section id="{html.escape(s.id)}"><h2>{html.escape(s.title)}</h2>{parts}</section>'


def render_html(report: Report) -> str:
    toc = "".join(f'<li><a href="#{html.escape(s.id)}">{html.escape(s.title)}</a></li>' for s in report.sections)
    body = "".join(_section(s) for s in report.sections)
    return (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{html.escape(report.title)}</title><style>{_STYLE}</style>"
        f"<script>{_CHECK_SCRIPT}</script></head><body>"
        f"<h1>{html.escape(report.title)}</h1><p class=\"subtitle\">{html.escape(report.subtitle)}</p>"
        f"<nav><ol>{toc}</ol></nav>{body}</body></html>"
    )
