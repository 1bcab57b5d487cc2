"""Reads a checkpoint (safetensors: an 8-byte header length, a JSON header
naming each tensor's dtype, shape and byte range, then the data) into
lists of floats, with no library: the course's checks of trained models.

    import safetensors; tensors = safetensors.read("model.safetensors")
"""
import json
import struct


def read(path):
    data = open(path, "rb").read()
    length = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + length])
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        start, end = entry["data_offsets"]
        tensors[name] = list(struct.unpack("<%df" % ((end - start) // 4),
                                           data[8 + length + start:8 + length + end]))
    return tensors
