"""Open a report page in headless Chromium (Debian's package) at a given width: measure it (overflow, script
and console errors, figures and their titles) and take screenshots. Test-only: the shipped page has no script;
a copy with the probe below is written beside it (so its relative links still resolve).

Headless Chromium will not make a window narrower than 500 px, so the page is opened inside an <iframe> of
the width asked for (its viewport is then exactly that wide), in a frame page written beside it."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--hide-scrollbars",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--mute-audio",
    "--force-device-scale-factor=1", "--virtual-time-budget=5000", "--allow-file-access-from-files",
]
MIN_WINDOW = 500  # px: headless Chromium's narrowest window

# Opens the probed page in a frame of the asked size and copies the probe's answer out of it.
FRAME = """<!DOCTYPE html><html><head><meta charset="utf-8"><style>html,body{{margin:0}}iframe{{border:0;
display:block;width:{width}px;height:{height}px}}</style></head><body><iframe id="page" src="{src}"></iframe>
<script>
var frame = document.getElementById('page');
frame.addEventListener('load', function(){{
  var inner = frame.contentDocument && frame.contentDocument.getElementById('__probe');
  var out = document.createElement('pre');
  out.id = '__probe';
  out.textContent = inner ? inner.textContent : '{{"missing": true}}';
  document.body.appendChild(out);
}});
</script></body></html>"""

# Counts uncaught errors, failed resource loads and console.error calls from the first line of <head>; after
# load, writes what the tests check into <pre id="__probe"> as JSON.
PROBE = r"""<script>
(function(){
  var errors = [];
  var original = console.error;
  console.error = function(){ errors.push('console.error: ' + Array.prototype.join.call(arguments, ' '));
    return original.apply(console, arguments); };
  window.addEventListener('error', function(e){
    var t = e.target || {};
    errors.push(e.message ? 'error: ' + e.message : 'failed to load: ' + (t.src || t.href || t.tagName));
  }, true);
  window.addEventListener('unhandledrejection', function(e){ errors.push('rejection: ' + e.reason); });
  window.addEventListener('load', function(){
    var doc = document.documentElement, vw = window.innerWidth;
    var wide = [];
    Array.prototype.forEach.call(document.body.querySelectorAll('*'), function(el){
      if (el.closest('.table-box')) return;  // a table scrolls inside its own box
      var r = el.getBoundingClientRect();
      if (r.right > vw + 1 && wide.length < 12) wide.push(el.tagName + '#' + el.id + '.' + el.className);
    });
    var figures = Array.prototype.map.call(document.querySelectorAll('figure'), function(f){
      var r = f.getBoundingClientRect();
      var svgs = Array.prototype.map.call(f.querySelectorAll('svg'), function(s){
        var t = s.querySelector('title'), b = s.getBoundingClientRect();
        return {title: t ? t.textContent : '', label: s.getAttribute('aria-label') || '', width: b.width,
                height: b.height, texts: s.querySelectorAll('text').length};
      });
      var imgs = Array.prototype.map.call(f.querySelectorAll('img'), function(i){
        return {alt: i.alt, ok: i.complete && i.naturalWidth > 0}; });
      return {id: f.id, top: r.top + window.scrollY, left: r.left, width: r.width, height: r.height,
              svgs: svgs, imgs: imgs};
    });
    var tables = Array.prototype.map.call(document.querySelectorAll('.table-box'), function(b){
      return {id: (b.querySelector('table') || {}).id, right: b.getBoundingClientRect().right,
              scrolls: b.scrollWidth > b.clientWidth + 1};
    });
    var out = {viewport: vw, scroll_width: doc.scrollWidth, body_scroll_width: document.body.scrollWidth,
               height: Math.ceil(doc.scrollHeight), errors: errors, wide: wide, figures: figures, tables: tables,
               sections: document.querySelectorAll('section').length};
    var pre = document.createElement('pre');
    pre.id = '__probe';
    pre.textContent = JSON.stringify(out);
    document.body.appendChild(pre);
  });
})();
</script>"""
_RESULT = re.compile(r'<pre id="__probe">(.*?)</pre>', re.S)


def chromium_binary() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _run(args: list[str], timeout: float = 120) -> subprocess.CompletedProcess:
    binary = chromium_binary()
    assert binary, "chromium is not installed (make test installs Debian's chromium package)"
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run([binary, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True,
                              text=True, timeout=timeout)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def with_probe(html_path: Path) -> Path:
    """A copy of the page with the probe as the first thing in <head>, beside the page."""
    page = html_path.read_text(encoding="utf-8")
    copy = html_path.with_name(f"{html_path.stem}.probe.html")
    copy.write_text(page.replace("<head>", "<head>" + PROBE, 1), encoding="utf-8")
    return copy


def _frame(page: Path, width: int, height: int) -> Path:
    frame = page.with_name(f"{page.stem}.frame-{width}.html")
    frame.write_text(FRAME.format(width=width, height=height, src=page.name), encoding="utf-8")
    return frame


def probe(html_path: Path, width: int, height: int = 1000) -> dict:
    """What the probe measured on the page opened at `width` x `height` CSS pixels."""
    copy = with_probe(html_path)
    frame = _frame(copy, width, height)
    try:
        done = _run([f"--window-size={max(width, MIN_WINDOW)},{height}", "--dump-dom", frame.resolve().as_uri()])
    finally:
        copy.unlink()
        frame.unlink()
    found = _RESULT.search(done.stdout)
    assert found, "the probe did not run: " + done.stdout[-500:]
    import html

    measured = json.loads(html.unescape(found.group(1)))
    assert not measured.get("missing"), "the framed page could not be read (file access between frames)"
    return measured


def screenshot(html_path: Path, width: int, height: int, png: Path) -> Path:
    """A PNG of the page's first `height` pixels at `width`."""
    from PIL import Image

    frame = _frame(html_path, width, height)
    try:
        _run([f"--window-size={max(width, MIN_WINDOW)},{height}", f"--screenshot={png.resolve()}",
              frame.resolve().as_uri()])
    finally:
        frame.unlink()
    with Image.open(png) as shot:
        if shot.width > width:
            shot.crop((0, 0, width, shot.height)).save(png)
    return png


def figure_screenshots(html_path: Path, width: int, out_dir: Path) -> list[Path]:
    """One PNG per figure of the page at `width`: the whole page photographed once, cut at each figure's box."""
    from PIL import Image

    measured = probe(html_path, width)
    out_dir.mkdir(parents=True, exist_ok=True)
    whole = screenshot(html_path, width, measured["height"], out_dir / f"page-{width}px.png")
    written = []
    with Image.open(whole) as page:
        for f in measured["figures"]:
            top, bottom = int(f["top"]) - 8, int(f["top"] + f["height"]) + 8
            box = (0, max(top, 0), width, min(bottom, page.height))
            path = out_dir / f"{f['id'].removeprefix('figure-')}-{width}px.png"
            page.crop(box).save(path)
            written.append(path)
    return written
