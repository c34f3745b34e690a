#!/usr/bin/env python3
"""Rewrites every block of docs/*.md introduced by "<!-- quote: PATH -->" with
the current content of PATH (the test docs: quoted example files ... keeps
them equal). Run it after editing an example that the docs quote."""
import pathlib
import re

root = pathlib.Path(__file__).resolve().parent.parent
pattern = re.compile(r"(<!-- quote: (?P<path>\S+) -->\n```[^\n]*\n)(?P<body>.*?)(\n```)", re.S)
for doc in sorted((root / "docs").glob("*.md")):
    text = doc.read_text()

    def replace(match):
        content = (root / match.group("path")).read_text()
        return match.group(1) + content.rstrip("\n") + match.group(4)

    updated = pattern.sub(replace, text)
    if updated != text:
        doc.write_text(updated)
        print(f"updated {doc.relative_to(root)}")
