"""Runs the commands a chapter of the docs shows and checks that they print
what it shows, so the docs cannot rot:

    run-doc-commands.py REPO CHAPTER.md...

A runnable block is a fenced block whose info string is `console` or `sh`.
In a `console` block, a line `$ COMMAND` is a command (run by bash, in
order, in a fresh folder per chapter where `examples`, `build`, `docs` and
`test` lead to REPO's), and the lines until the next command are what it
must print (stdout and stderr together). In an `sh` block every line is a
command whose output the docs do not show: it must succeed. `...` on a
line of its own stands for any number of lines. Words must match exactly;
numbers match within the chapter's tolerance: a line `<!-- tolerance: R -->`
sets the relative tolerance (default 1e-3), for differences in the last
digits between CPU kinds (AVX2, AVX-512: other summation orders). A command
that fails fails the check unless its expected output starts with `error`
or the command starts with `! ` (which must fail).

Prints one line per chapter, "CHAPTER: N commands, all as shown", or the
first difference, and exits 1 if any chapter differs."""
import os
import re
import subprocess
import sys
import tempfile

NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


def blocks(text):
    """The runnable blocks of a chapter, in order: lists of (command,
    expected lines), the expected lines None for an `sh` block's commands
    (their output is not shown, only their success is checked)."""
    found, kind, current = [], None, None
    for line in text.split("\n"):
        if kind is None and line.strip() in ("```console", "```sh"):
            kind, current = line.strip()[3:], []
        elif kind is not None and line.strip() == "```":
            kind = None
            found.append(current)
        elif kind == "console":
            if line.startswith("$ "):
                current.append((line[2:], []))
            elif current:
                current[-1][1].append(line)
        elif kind == "sh" and line.strip() and not line.lstrip().startswith("#"):
            current.append((line, None))
    return found


def same_words(expected, actual, tolerance):
    e, a = expected.replace(",", " , ").split(), actual.replace(",", " , ").split()
    if len(e) != len(a):
        return False
    for x, y in zip(e, a):
        if NUMBER.match(x) and NUMBER.match(y):
            fx, fy = float(x), float(y)
            if abs(fx - fy) > tolerance * max(abs(fx), abs(fy)) + 1e-12:
                return False
        elif x != y:
            return False
    return True


def matches(expected, actual, tolerance):
    """Whether `actual` lines are `expected` ones, `...` skipping any lines;
    else the first expected line that was not found."""
    i = 0
    skipping = False
    for line in expected:
        if line.strip() == "...":
            skipping = True
            continue
        while i < len(actual) and skipping and not same_words(line, actual[i], tolerance):
            i += 1
        if i >= len(actual) or not same_words(line, actual[i], tolerance):
            return line
        i += 1
        skipping = False
    if not skipping and i < len(actual):
        return f"(nothing more, but it printed: {actual[i]})"
    return None


def run_chapter(repo, path):
    text = open(path).read()
    m = re.search(r"<!-- tolerance: ([0-9.eE+-]+) -->", text)
    tolerance = float(m.group(1)) if m else 1e-3
    name = os.path.basename(path)
    count = 0
    with tempfile.TemporaryDirectory() as work:
        for folder in ("examples", "build", "docs", "test"):
            os.symlink(os.path.join(repo, folder), os.path.join(work, folder))
        for block in blocks(text):
            for command, expected in block:
                while expected and not expected[-1].strip():
                    expected.pop()
                must_fail = command.startswith("! ")
                run = subprocess.run(["bash", "-c", command[2:] if must_fail else command],
                                     cwd=work, capture_output=True, text=True)
                count += 1
                output = [l for l in (run.stdout + run.stderr).split("\n") if l.strip()]
                if expected is None:  # an sh block: it must succeed
                    if run.returncode != 0:
                        print(f"{name}: `{command}` exited with {run.returncode}:")
                        print("\n".join(output[-10:]))
                        return False
                    continue
                failed = run.returncode != 0
                expects_error = must_fail or (expected and expected[0].startswith("error"))
                if failed != bool(expects_error):
                    print(f"{name}: `{command}` exited with {run.returncode}:")
                    print("\n".join(output[-10:]))
                    return False
                missing = matches([l for l in expected if l.strip()], output, tolerance)
                if missing:
                    print(f"{name}: `{command}` did not print: {missing}")
                    print("it printed:\n" + "\n".join(output[:40]))
                    return False
    print(f"{name}: {count} commands, all as shown")
    return True


def main():
    repo, chapters = sys.argv[1], sys.argv[2:]
    ok = True
    for chapter in chapters:
        ok &= run_chapter(repo, chapter)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
