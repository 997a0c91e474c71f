#!/usr/bin/env python3
"""Fails when a Markdown file links an image that is not there.

    check-images.py ROOT [ROOT...]

A ROOT is a Markdown file or a directory searched for *.md, skipping build trees, outputs and
data (build*, out, data, fuzz, hidden directories) and test inputs (Inputs). Image links: ![alt](path "title"),
reference images ![alt][ref] with their [ref]: path line, and <img src="path">; links to
http(s) and data: URLs are not checked, nor anything in code spans or fenced code blocks. A path
is relative to the file that links it. Exit status 1 lists every missing image as FILE:LINE.
"""
import os
import re
import sys

INLINE = re.compile(r'!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)')
REF_USE = re.compile(r'!\[([^\]]*)\]\[([^\]]*)\]')
REF_DEF = re.compile(r'^\s{0,3}\[([^\]]+)\]:\s*<?(\S+?)>?(?:\s+.*)?$')
HTML = re.compile(r'<img\b[^>]*\bsrc\s*=\s*["\']([^"\']+)["\']', re.I)
FENCE = re.compile(r'^\s{0,3}(```|~~~)')
CODE_SPAN = re.compile(r'(`+).*?\1')
SKIP = {"out", "data", "fuzz", "Inputs", "node_modules"}


def markdown_files(roots):
    for root in roots:
        if os.path.isfile(root):
            yield root
            continue
        for d, dirs, files in os.walk(root):
            dirs[:] = sorted(x for x in dirs if x not in SKIP and not x.startswith(("build", ".")))
            for f in sorted(files):
                if f.endswith(".md"):
                    yield os.path.join(d, f)


def image_links(path):
    """(line number, target) of every image the file links."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    text, defs, fence = [], {}, None
    for n, line in enumerate(lines, 1):
        m = FENCE.match(line)
        if fence:
            if m and m.group(1) == fence:
                fence = None
            continue
        if m:
            fence = m.group(1)
            continue
        line = CODE_SPAN.sub("", line)
        d = REF_DEF.match(line)
        if d:
            defs[d.group(1).lower()] = d.group(2)
        text.append((n, line))
    for n, line in text:
        for m in INLINE.finditer(line):
            yield n, m.group(1)
        for m in HTML.finditer(line):
            yield n, m.group(1)
        for m in REF_USE.finditer(line):
            ref = (m.group(2) or m.group(1)).lower()
            yield n, defs.get(ref, "[" + ref + "] (undefined reference)")


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    missing, checked = [], 0
    for md in markdown_files(argv[1:]):
        for n, target in image_links(md):
            if re.match(r"^(https?:|data:)", target):
                continue
            checked += 1
            rel = target.split("#")[0].split("?")[0]
            if not os.path.isfile(os.path.join(os.path.dirname(md), rel)):
                missing.append(f"{md}:{n}: image '{target}' does not exist")
    for m in missing:
        print(m)
    print(f"{checked} image links checked, {len(missing)} missing")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
