#!/usr/bin/env python3
"""Writes hostile safetensors files into the current directory, for
test/e2e/checkpoint-errors.test: each a well-formed file (an 8-byte
little-endian header length, the JSON header, the data) but for one thing.

  deep.safetensors      the header nests 100,000 '['
  twice.safetensors     the tensor "w" appears twice
  overlap.safetensors   "w" and "b" share bytes
  fraction.safetensors  an offset of 2.5
  negative.safetensors  a dimension of -1
  huge.safetensors      a dimension of 1e300
  step.safetensors      a valid checkpoint of logistic_regression whose step is -5
"""
import json
import struct


def write(name, header, data):
    text = header if isinstance(header, str) else json.dumps(header)
    raw = text.encode()
    with open(name, "wb") as f:
        f.write(struct.pack("<Q", len(raw)) + raw + data)


zeros = bytes(4 * 3)
write("deep.safetensors", "[" * 100000 + "]" * 100000, b"")
write("twice.safetensors",
      '{"w":{"dtype":"F32","shape":[2,1],"data_offsets":[0,8]},'
      '"w":{"dtype":"F32","shape":[2,1],"data_offsets":[0,8]}}', zeros)
write("overlap.safetensors",
      {"w": {"dtype": "F32", "shape": [2, 1], "data_offsets": [0, 8]},
       "b": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}, zeros)
write("fraction.safetensors",
      {"b": {"dtype": "F32", "shape": [1], "data_offsets": [2.5, 6.5]}}, zeros)
write("negative.safetensors",
      {"b": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}, zeros)
write("huge.safetensors",
      {"b": {"dtype": "F32", "shape": [1e300], "data_offsets": [0, 4]}}, zeros)
write("step.safetensors",
      {"__metadata__": {"model": "logistic_regression", "seed": "0", "step": "-5"},
       "w": {"dtype": "F32", "shape": [2, 1], "data_offsets": [0, 8]},
       "b": {"dtype": "F32", "shape": [1], "data_offsets": [8, 12]}}, zeros)
