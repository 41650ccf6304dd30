"""Print one code block of README.md, the one after the marker `<!-- snippet: NAME -->`.

    python3 tools/readme_snippet.py NAME [--max-lines N]

The README's usage examples are run in CI exactly as printed: each check script takes its block
from here instead of keeping a copy that could drift. A marker that is missing, repeated, or not
followed by a fenced block, and a block longer than `--max-lines`, is an error (exit 1).
"""

import argparse
import os
import re
import sys

README = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "README.md")


def snippet(text, name):
    markers = [m for m in re.finditer(r"^<!-- snippet: (\S+) -->\n", text, re.M) if m.group(1) == name]
    if len(markers) != 1:
        raise ValueError(f"README.md has {len(markers)} markers `<!-- snippet: {name} -->`, not 1")
    block = re.match(r"(`{3,})[a-z]*\n(.*?)^\1$", text[markers[0].end():], re.S | re.M)
    if block is None:
        raise ValueError(f"the marker `<!-- snippet: {name} -->` is not followed by a fenced block")
    return block.group(2)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name")
    parser.add_argument("--max-lines", type=int)
    args = parser.parse_args()
    with open(README, encoding="utf-8") as f:
        text = f.read()
    try:
        code = snippet(text, args.name)
    except ValueError as e:
        sys.exit(f"readme_snippet: {e}")
    lines = code.count("\n")
    if args.max_lines is not None and lines > args.max_lines:
        sys.exit(f"readme_snippet: {args.name} has {lines} lines, over {args.max_lines}")
    sys.stdout.write(code)


if __name__ == "__main__":
    main()
