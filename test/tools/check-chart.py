"""Reads a chart nn-plot drew and says what is in it.

    check-chart.py CHART.svg [TEXT...]   panels, data lines and their points,
                                         and that each TEXT is a label in it
    check-chart.py CHART.png             its size, and that it is not blank

SVG (matplotlib's, text kept as text): a panel is a <g id="axes_N">; a data
line is a <g id="line2d_N">, outside the legend, whose path is straight
segments through 3 or more vertices (grid lines and ticks have 2; markers
are curves). PNG: not blank means more
than 1 % of the pixels are not the background and there are at least 3
colours. Exits 1 when a TEXT is missing or the PNG is blank."""
import re
import struct
import sys
import xml.etree.ElementTree as ET
import zlib

SVG = "{http://www.w3.org/2000/svg}"


def check_svg(path, texts):
    root = ET.parse(path).getroot()
    panels = [g for g in root.iter(SVG + "g") if re.fullmatch(r"axes_\d+", g.get("id", ""))]
    in_legend = {id(g) for legend in root.iter(SVG + "g")
                 if re.fullmatch(r"legend_\d+", legend.get("id", ""))
                 for g in legend.iter(SVG + "g")}
    lines = []
    for g in root.iter(SVG + "g"):
        if not re.fullmatch(r"line2d_\d+", g.get("id", "")) or id(g) in in_legend:
            continue
        for p in g.iter(SVG + "path"):
            d = p.get("d", "")
            vertices = len(re.findall(r"[ML]", d))
            if vertices >= 3 and "C" not in d:  # not a marker's outline
                lines.append(vertices)
    labels = {"".join(t.itertext()).strip() for t in root.iter(SVG + "text")}
    missing = [t for t in texts if t not in labels]
    points = sorted(set(lines))
    print(f"{path}: {len(panels)} panels, {len(lines)} lines of "
          f"{'/'.join(map(str, points)) or 0} points, labels: {', '.join(texts)}"
          + (f"; missing: {', '.join(missing)}" if missing else ""))
    return not missing


def read_png(path):
    """Width, height and rows of RGBA pixels of an 8-bit RGB or RGBA PNG,
    decoded here (zlib and the five row filters of the PNG standard), so
    the check does not rely on the library that drew the chart."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit(f"{path}: not a PNG file")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour = header[0], header[1], header[2], header[3]
    if depth != 8 or colour not in (2, 6):
        raise SystemExit(f"{path}: only 8-bit RGB or RGBA PNGs are read here")
    channels = 3 if colour == 2 else 4
    raw, stride = zlib.decompress(idat), width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, corner = previous[i], previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                predictor = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[i] = (line[i] + predictor) & 255
        rows.append([tuple(line[x * channels:x * channels + 3]) for x in range(width)])
        previous = line
    return width, height, rows


def check_png(path):
    width, height, rows = read_png(path)
    pixels = [p for row in rows for p in row]
    background = pixels[0]
    drawn = sum(1 for p in pixels if max(abs(a - b) for a, b in zip(p, background)) > 5)
    colours = len(set(pixels))
    blank = drawn < 0.01 * len(pixels) or colours < 3
    print(f"{path}: {width}x{height} pixels, " + ("blank" if blank else "not blank"))
    return not blank


def main():
    path = sys.argv[1]
    ok = check_svg(path, sys.argv[2:]) if path.endswith(".svg") else check_png(path)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
