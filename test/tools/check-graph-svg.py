"""Reads the SVG that Graphviz drew from `nnc --emit=dot` and says what is in
it, so a test can check the picture and not only the DOT text:

    check-graph-svg.py GRAPH.svg [TEXT...]

Prints the clusters' titles (one per function, and the legend), the number
of nodes and of red dashed edges (forward values the backward pass reuses),
and whether each TEXT is a line of some node's label. Exits 1 when a TEXT
is missing. Graphviz writes each cluster as <g class="cluster"> and each node
as <g class="node">, the label's lines as <text> elements."""
import sys
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"


def main():
    path, texts = sys.argv[1], sys.argv[2:]
    root = ET.parse(path).getroot()
    clusters, nodes, reused, lines = [], 0, 0, set()
    for g in root.iter(SVG + "g"):
        kind = g.get("class")
        if kind == "cluster":
            clusters.append(" ".join(t.text or "" for t in g.findall(SVG + "text")))
        elif kind == "node":
            nodes += 1
            lines |= {(t.text or "").strip() for t in g.iter(SVG + "text")}
        elif kind == "edge":
            paths = g.findall(SVG + "path")
            if paths and paths[0].get("stroke") == "#cc0000" and paths[0].get("stroke-dasharray"):
                reused += 1
    missing = [t for t in texts if t not in lines]
    print(f"{path}: {len(root.findall(SVG + 'g'))} graph, clusters: {'; '.join(clusters)}")
    print(f"{nodes} nodes, {reused} reused-value edges"
          + (f"; missing: {', '.join(missing)}" if missing else "; every text found"))
    sys.exit(1 if missing else 0)


if __name__ == "__main__":
    main()
