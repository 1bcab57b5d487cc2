#!/usr/bin/env python3
"""Lists the functions of nnc's C++ sources longer than a limit (default 120
lines, from the line of the opening brace to the closing one), so that no
stage of the compiler hides in one long function. Exit status 1 when there is
one. Used by test/docs/function-length.test.

    scripts/check-function-length.py [--limit N] [DIR ...]

A function is a brace block opened at namespace or class scope after a
closing parenthesis (its parameter list, or a constructor's initializers);
lambdas and blocks inside a function count as part of it."""
import argparse
import os
import re
import sys

SOURCE_DIRS = ["frontend", "ir", "passes", "codegen", "interp", "runtime", "support", "tools", "fuzz"]


def strip(line):
    """The line without comments, strings and character literals."""
    line = re.sub(r'"([^"\\]|\\.)*"', '""', line)
    line = re.sub(r"'([^'\\]|\\.)*'", "''", line)
    return re.sub(r"//.*", "", line)


def functions(path):
    """(first line, last line, header) of every function body in the file."""
    found = []
    stack = []  # 'scope' (namespace, class, struct, enum, initializer) or 'function' or 'block'
    header = ""  # text since the last ; { or } at namespace or class scope
    in_comment = False
    for number, raw in enumerate(open(path, encoding="utf-8"), 1):
        line = raw
        if in_comment:
            if "*/" not in line:
                continue
            line = line.split("*/", 1)[1]
            in_comment = False
        line = re.sub(r"/\*.*?\*/", "", line)
        if "/*" in line:
            line, in_comment = line.split("/*", 1)[0], True
        line = strip(line)
        if line.lstrip().startswith("#"):
            continue
        for ch in line:
            inside_function = any(kind == "function" for kind, _ in stack)
            if ch == "{":
                if inside_function:
                    stack.append(("block", number))
                else:
                    text = header.strip()
                    is_function = (")" in text and not re.match(r"(namespace|class|struct|enum|union)\b", text)
                                   and not text.endswith("=") and not re.search(r"=\s*$", text))
                    stack.append(("function" if is_function else "scope", number))
                    if is_function:
                        found.append([number, None, " ".join(text.split())[-90:]])
                header = ""
            elif ch == "}":
                if stack:
                    kind, start = stack.pop()
                    if kind == "function":
                        for f in found:
                            if f[0] == start and f[1] is None:
                                f[1] = number
                header = ""
            elif ch == ";" and not inside_function:
                header = ""
            elif not inside_function:
                header += ch
        if not any(kind == "function" for kind, _ in stack):
            header += " "
    return [(a, b, h) for a, b, h in found if b is not None]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=120)
    parser.add_argument("dirs", nargs="*")
    args = parser.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    dirs = args.dirs or [os.path.join(root, d) for d in SOURCE_DIRS]
    long_ones = []
    for top in dirs:
        for folder, _, files in os.walk(top):
            for name in sorted(files):
                if name.endswith((".cpp", ".h")):
                    path = os.path.join(folder, name)
                    for first, last, header in functions(path):
                        if last - first + 1 > args.limit:
                            long_ones.append((last - first + 1, os.path.relpath(path, root), first, header))
    for length, path, first, header in sorted(long_ones, reverse=True):
        print(f"{path}:{first}: {length} lines: {header}")
    if not long_ones:
        print(f"no function over {args.limit} lines")
    return 1 if long_ones else 0


if __name__ == "__main__":
    sys.exit(main())
