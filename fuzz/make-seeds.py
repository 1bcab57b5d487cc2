#!/usr/bin/env python3
"""Writes the seed corpus of each fuzz target into OUT/TARGET/ (scripts/fuzz.sh
runs it). Seeds are valid inputs, so the fuzzer starts from deep inside each
format instead of having to find its magic numbers:

  frontend    every .nn file of examples/ and test/ (the test suite's inputs,
              the error tests among them)
  csv         every .csv of examples/ and test/
  idx         the first items of Fashion-MNIST (when installed) with their
              header rewritten, raw and gzip-compressed; small files of
              every IDX element type
  npy         arrays of every dtype the reader takes, versions 1 to 3,
              scalars, empty and Fortran-ordered headers
  checkpoint  safetensors files as the programs write them (tensors, the
              optimizer's state, the step), and an empty one

Usage: make-seeds.py SOURCE_DIR OUT_DIR
"""
import glob
import gzip
import json
import os
import shutil
import struct
import sys

source, out = sys.argv[1], sys.argv[2]


def target(name):
    path = os.path.join(out, name)
    os.makedirs(path, exist_ok=True)
    return path


def copy_all(pattern_list, name):
    where = target(name)
    for pattern in pattern_list:
        for f in sorted(glob.glob(os.path.join(source, pattern), recursive=True)):
            rel = os.path.relpath(f, source).replace(os.sep, "_")
            shutil.copyfile(f, os.path.join(where, rel))


copy_all(["examples/*.nn", "test/**/*.nn"], "frontend")
copy_all(["examples/**/*.csv", "test/**/*.csv"], "csv")

# IDX: magic 0 0 TYPE RANK, RANK big-endian uint32 dimensions, big-endian data.
idx = target("idx")
types = {0x08: ("B", 1), 0x09: ("b", 1), 0x0B: (">h", 2), 0x0C: (">i", 4),
         0x0D: (">f", 4), 0x0E: (">d", 8)}
for code, (fmt, _) in types.items():
    values = [1, 2, 3, 4, 5, 6]
    body = b"".join(struct.pack(fmt, v) for v in values)
    with open(os.path.join(idx, "type-%02x.idx" % code), "wb") as f:
        f.write(bytes([0, 0, code, 2]) + struct.pack(">II", 2, 3) + body)
mnist = "/usr/share/datasets/fashion-mnist"
for name, rank, item in [("t10k-images-idx3-ubyte.gz", 3, 784), ("t10k-labels-idx1-ubyte.gz", 1, 1)]:
    path = os.path.join(mnist, name)
    if not os.path.exists(path):
        continue
    with gzip.open(path) as f:
        data = f.read(8 + 4 * (rank - 1) + 3 * item)
    head = data[:4] + struct.pack(">I", 3) + data[8:8 + 4 * (rank - 1)]
    small = head + data[8 + 4 * (rank - 1):]
    base = name.replace(".gz", "")
    with open(os.path.join(idx, base + "-3items"), "wb") as f:
        f.write(small)
    with open(os.path.join(idx, base + "-3items.gz"), "wb") as f:
        f.write(gzip.compress(small))

# NPY: magic, version, header length, a dict literal padded with spaces to a
# multiple of 64 bytes and ending in a newline, then the data.
npy = target("npy")


def write_npy(name, descr, shape, body, version=1, fortran=False):
    shape_text = "(%d,)" % shape[0] if len(shape) == 1 else str(tuple(shape))
    header = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (
        descr, "True" if fortran else "False", shape_text)
    size_bytes = 2 if version == 1 else 4
    total = 6 + 2 + size_bytes + len(header) + 1
    header += " " * ((64 - total % 64) % 64) + "\n"
    length = struct.pack("<H" if version == 1 else "<I", len(header))
    with open(os.path.join(npy, name), "wb") as f:
        f.write(b"\x93NUMPY" + bytes([version, 0]) + length + header.encode("latin1") + body)


for descr, fmt in [("<f4", "<f"), ("<f8", "<d"), ("<i8", "<q"), ("<i4", "<i"), ("|i1", "b"),
                   ("|u1", "B"), ("|b1", "?")]:
    body = b"".join(struct.pack(fmt, v) for v in [1, 0, 1, 1, 0, 1])
    write_npy("%s.npy" % descr.strip("<|"), descr, (2, 3), body)
write_npy("v2.npy", "<f4", (3,), struct.pack("<3f", 1, 2, 3), version=2)
write_npy("v3.npy", "<f4", (1, 1, 2), struct.pack("<2f", 1, 2), version=3)
write_npy("scalar.npy", "<f4", (), struct.pack("<f", 7))
write_npy("empty.npy", "<f4", (0, 4), b"")
write_npy("fortran.npy", "<f4", (2, 2), struct.pack("<4f", 1, 2, 3, 4), fortran=True)
with open(os.path.join(npy, "gzip.npy"), "wb") as f:
    with open(os.path.join(npy, "f4.npy"), "rb") as g:
        f.write(gzip.compress(g.read()))

# safetensors: an 8-byte little-endian header length, a JSON header, the data.
checkpoint = target("checkpoint")


def write_safetensors(name, tensors, metadata):
    header, data = {}, b""
    for key, (shape, values) in tensors.items():
        raw = struct.pack("<%df" % len(values), *values)
        header[key] = {"dtype": "F32", "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    if metadata is not None:
        header["__metadata__"] = metadata
    text = json.dumps(header).encode()
    with open(os.path.join(checkpoint, name), "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)


write_safetensors("xor.safetensors",
                  {"w1": ([2, 4], [0.5] * 8), "b1": ([4], [0.0] * 4), "w2": ([4, 1], [1.0] * 4),
                   "b2": ([1], [0.25])},
                  {"model": "xor", "seed": "0", "step": "100"})
write_safetensors("adam.safetensors",
                  {"w": ([3, 2], [1.0] * 6), "w.adam_m": ([3, 2], [0.0] * 6),
                   "w.adam_v": ([3, 2], [0.0] * 6), "b": ([], [2.0])},
                  {"model": "m", "step": "7"})
write_safetensors("empty.safetensors", {}, None)
