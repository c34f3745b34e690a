#!/usr/bin/env python3
"""Rewrites every block of docs/*.md introduced by "<!-- quote: PATH -->" with
the current content of PATH (the test docs: quoted example files ... keeps
them equal). Run it after editing an example that the docs quote."""
import pathlib
import re

root = pathlib.Path(__file__).resolve().parent.parent
# The block: the fence line, then any lines up to the closing fence (possibly none).
pattern = re.compile(r"(<!-- quote: (?P<path>\S+) -->\n```[^\n]*\n)(?P<body>(?:(?!```)[^\n]*\n)*)(```)")
for doc in sorted((root / "docs").glob("*.md")):
    text = doc.read_text()

    def replace(match):
        content = (root / match.group("path")).read_text()
        return match.group(1) + content.rstrip("\n") + "\n" + match.group(4)

    updated = pattern.sub(replace, text)
    if updated != text:
        doc.write_text(updated)
        print(f"updated {doc.relative_to(root)}")
