"""Checks the DOM of an `nnc --report` page, as headless Chromium loaded it,
against what the same build wrote elsewhere:

    check-report.py DOM.html MODEL.nn DUMP_DIR

- #source holds one line anchor (id="L1", ...) per line of MODEL.nn;
- #picture holds an inline <svg> with a cluster per function and the legend;
- #cost and #memory hold a table for each program;
- #stages lists every stage --dump-dir wrote (DUMP_DIR/PROGRAM/NN-STAGE.mlir
  or .ll, the pictures aside), in the same order, and each has its section,
  with a diff against the one before it except the first of each program;
- every link to a source line (a.src, a.ln) points to an anchor that exists.

Prints what it found, one fact a line, and exits 1 at the first problem."""
import html.parser
import os
import re
import sys


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.links, self.sections, self.stages, self.listed = set(), [], [], [], []
        self.svg_clusters, self.diffs, self.stack = 0, 0, []
        self.in_list = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "section":
            self.sections.append(a.get("id"))
            if a.get("class") == "stage":
                self.stages.append((a["data-program"], a["data-stage"]))
        if tag == "ol" and a.get("class") == "stage-list":
            self.in_list = True
        if tag == "a" and self.in_list:
            self.listed.append(a["href"])
        if tag == "a" and a.get("class") in ("src", "ln"):
            self.links.append(a["href"])
        if tag == "g" and a.get("class") == "cluster":
            self.svg_clusters += 1
        if tag == "details" and a.get("class") == "diff":
            self.diffs += 1

    def handle_endtag(self, tag):
        if tag == "ol":
            self.in_list = False


def fail(message):
    print(f"check-report: {message}")
    sys.exit(1)


def main():
    dom, model, dump = sys.argv[1:4]
    page = Page()
    with open(dom, encoding="utf-8") as f:
        page.feed(f.read())
    for section in ("source", "picture", "cost", "memory", "stages"):
        if section not in page.sections:
            fail(f"no section #{section}")
    print("sections: source, picture, cost, memory, stages")

    with open(model) as f:
        lines = len(f.read().rstrip("\n").split("\n"))
    anchors = sum(1 for i in page.ids if re.fullmatch(r"L\d+", i))
    if anchors != lines:
        fail(f"{anchors} line anchors for the {lines} lines of {model}")
    print(f"source: {lines} lines, each with its anchor")

    if page.svg_clusters < 2:
        fail(f"the picture has {page.svg_clusters} clusters")
    print(f"picture: an inline SVG with {page.svg_clusters} clusters")

    dumped = []
    for program in sorted(os.listdir(dump)):
        folder = os.path.join(dump, program)
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            m = re.fullmatch(r"\d+-(.+)\.(mlir|ll|ptx)", name)
            if m:
                dumped.append((program, m.group(1)))
    shown = {p: [s for q, s in page.stages if q == p] for p, _ in dumped}
    for program in shown:
        expected = [s for p, s in dumped if p == program]
        if shown[program] != expected:
            fail(f"the {program} program's stages are {shown[program]}, --dump-dir wrote {expected}")
        print(f"{program}: {len(expected)} stages, as --dump-dir wrote them: {', '.join(expected)}")
    if len(page.listed) != len(page.stages):
        fail(f"the list names {len(page.listed)} stages, the page shows {len(page.stages)}")
    programs = len({p for p, _ in page.stages})
    if page.diffs != len(page.stages) - programs:
        fail(f"{page.diffs} diffs for {len(page.stages)} stages of {programs} programs")
    print(f"diffs: one per stage after the first of each program ({page.diffs})")

    broken = [h for h in page.links if h[1:] not in page.ids]
    if broken:
        fail(f"links to missing lines: {', '.join(sorted(set(broken))[:5])}")
    print(f"source links: {len(page.links)}, every one to a line that exists")


if __name__ == "__main__":
    main()
