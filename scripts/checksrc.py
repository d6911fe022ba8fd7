#!/usr/bin/env python3
# checksrc.py - the project's C habits, checked: a top comment in every
# file, line length, banned functions, no assignment inside a condition in
# backend/, every curl_*_setopt result used in the product, file length, no
# trailing blanks. Prints "file:line: rule: text" for each problem and exits 1 when
# there is one. Not a formatter (clang-format is) and not a compiler.
"""Usage: checksrc.py [FILE...]   (default: every .c/.h the build uses)"""

import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIRS = ["backend", "cli", "tui", "panes", "tests/unit", "tests/integration",
        "tests/bench", "tests/fuzz"]
# curl's rule for the network layer; the rest of the tree is formatted by
# clang-format to the same width, checked here too.
MAX_COLS = 79
MAX_LINES = 1100  # "about 1,000 lines at most"
BANNED = {
    "sprintf": "use snprintf",
    "vsprintf": "use vsnprintf",
    "strcpy": "use a bounded copy (snprintf)",
    "strncpy": "use snprintf (strncpy does not terminate)",
    "strcat": "use snprintf or strbuf",
    "strncat": "use snprintf or strbuf",
    "strtok": "use strcspn/strspn (strtok keeps hidden state)",
    "atoi": "use strtol with full checks",
    "atol": "use strtol with full checks",
    "atoll": "use strtoll with full checks",
    "atof": "use strtod with full checks",
    "gets": "use fgets",
    "tmpnam": "use mkstemp",
    "mktemp": "use mkstemp",
}
BANNED_RE = re.compile(r"(?<![\w.>])(" + "|".join(BANNED) + r")\s*\(")
SETOPT_RE = re.compile(r"^\s*curl_(easy|multi|share)_setopt\s*\(")
COND_RE = re.compile(r"\b(if|while)\s*\(")


def strip_strings_and_comments(text):
    """The text with string/char literals and comments blanked out (same
    length, newlines kept), so that patterns do not match inside them."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("".join(ch if ch == "\n" else " "
                               for ch in text[i:j]))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                if text[j] == "\\":
                    j += 1
                if j < n and text[j] == "\n":
                    break
                j += 1
            j = min(j + 1, n)
            out.append(c + " " * max(0, j - i - 2) + (c if j - i > 1 else ""))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def condition_at(code, start):
    """The text inside the parentheses that open at code[start]."""
    depth = 0
    for j in range(start, len(code)):
        if code[j] == "(":
            depth += 1
        elif code[j] == ")":
            depth -= 1
            if depth == 0:
                return code[start + 1:j]
    return ""


def has_assignment(cond):
    # '=' that is not part of ==, !=, <=, >=, and not inside a nested
    # call's argument list written as a comparison
    for m in re.finditer(r"=", cond):
        k = m.start()
        prev = cond[k - 1] if k > 0 else ""
        nxt = cond[k + 1] if k + 1 < len(cond) else ""
        if prev in "=!<>" or nxt == "=":
            continue
        return True
    return False


def check(path):
    rel = os.path.relpath(path, ROOT)
    problems = []
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        return ["%s:1: read: %s" % (rel, e)]
    lines = text.split("\n")
    if not text.startswith("/*"):
        problems.append("%s:1: top-comment: the file does not open with a "
                        "comment saying what it is" % rel)
    product = rel.split("/")[0] in ("backend", "cli", "tui", "panes")
    if product and len(lines) > MAX_LINES:
        problems.append("%s:%d: file-length: %d lines (one job a file, "
                        "about 1,000 lines at most)" %
                        (rel, len(lines), len(lines)))
    for no, line in enumerate(lines, 1):
        width = len(line.expandtabs(8))
        if width > MAX_COLS:
            problems.append("%s:%d: line-length: %d columns (at most %d)" %
                            (rel, no, width, MAX_COLS))
        if line.rstrip() != line:
            problems.append("%s:%d: trailing-blank: blanks at the end of "
                            "the line" % (rel, no))
    code = strip_strings_and_comments(text)
    code_lines = code.split("\n")
    for no, line in enumerate(code_lines, 1):
        for m in BANNED_RE.finditer(line):
            problems.append("%s:%d: banned: %s() (%s)" %
                            (rel, no, m.group(1), BANNED[m.group(1)]))
        prev = code_lines[no - 2].rstrip() if no > 1 else ""
        # a call that opens a statement discards its result; one that
        # continues an expression (a || b, x = ..., f(a, ...)) uses it
        if product and SETOPT_RE.match(line) and \
                not prev.endswith(("||", "&&", "(", "=", ",", "?",
                                   "!")):
            problems.append("%s:%d: setopt-unchecked: the result of "
                            "curl_*_setopt is not used" % (rel, no))
    if rel.startswith("backend/"):
        offsets = [0]
        for line in code_lines:
            offsets.append(offsets[-1] + len(line) + 1)
        for m in COND_RE.finditer(code):
            cond = condition_at(code, m.end() - 1)
            if has_assignment(cond):
                no = next(i for i, off in enumerate(offsets)
                          if off > m.start())
                problems.append("%s:%d: assign-in-condition: an "
                                "assignment inside %s (...)" %
                                (rel, no, m.group(1)))
    return problems


def default_files():
    out = []
    for d in DIRS:
        full = os.path.join(ROOT, d)
        if not os.path.isdir(full):
            continue
        for name in sorted(os.listdir(full)):
            if name.endswith((".c", ".h")):
                out.append(os.path.join(full, name))
    return out


def main(argv):
    files = [os.path.abspath(a) for a in argv[1:]] or default_files()
    problems = []
    for path in files:
        problems.extend(check(path))
    for p in problems:
        print(p)
    if problems:
        print("checksrc: %d problem(s) in %d file(s)" %
              (len(problems), len({p.split(":")[0] for p in problems})),
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
