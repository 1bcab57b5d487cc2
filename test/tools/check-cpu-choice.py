#!/usr/bin/env python3
"""check-cpu-choice.py [--host] < module: checks the nn.cpu attribute that
nn-matmul-microkernel recorded against this script's own reading of the
model in codegen/cpu/CPUTarget.h:
  KC = L1 / (4 NR), a multiple of 16 in [64, 512]
  MC = L2 / 2 / (4 KC), a multiple of MR in [4 MR, 256 MR]
  NC = L3 / 2 / (4 KC), a multiple of NR in [4 NR, 256 NR]
With --host, the caches must also be the host's as Linux reports them
(/sys/devices/system/cpu/cpu0/cache/index*/{level,type,size}) and
caches_from = "host"."""
import glob
import os
import re
import sys

text = sys.stdin.read()
m = re.search(r"nn\.cpu = \{caches = array<i64: (\d+), (\d+), (\d+)>, caches_from = \"(\w+)\", "
              r"matmul_blocks = array<i64: (\d+), (\d+), (\d+)>, "
              r"matmul_tile = array<i64: (\d+), (\d+)>", text)
if not m:
    sys.exit("no nn.cpu attribute with caches, blocks and tile in the input")
l1, l2, l3 = (int(m.group(i)) for i in (1, 2, 3))
source = m.group(4)
mc, nc, kc, mr, nr = (int(m.group(i)) for i in (5, 6, 7, 8, 9))


def block(value, step, lo, hi):
    return min(max(value // step * step, lo), hi)


want_kc = block(l1 // (4 * nr), 16, 64, 512)
want = (block(l2 // 2 // (4 * want_kc), mr, 4 * mr, 256 * mr),
        block(l3 // 2 // (4 * want_kc), nr, 4 * nr, 256 * nr), want_kc)
if (mc, nc, kc) != want:
    sys.exit("blocks MC, NC, KC = %s; the model gives %s for caches %d, %d, %d and tile %dx%d"
             % ((mc, nc, kc), want, l1, l2, l3, mr, nr))

if "--host" in sys.argv[1:]:
    scale = {"K": 1 << 10, "M": 1 << 20}
    host = {}
    for d in glob.glob("/sys/devices/system/cpu/cpu0/cache/index*"):
        def read(name):
            with open(os.path.join(d, name)) as f:
                return f.read().strip()
        try:
            level, kind, size = read("level"), read("type"), read("size")
        except OSError:
            continue
        if kind == "Instruction":
            continue
        host[int(level)] = int(size[:-1]) * scale[size[-1]] if size[-1] in scale else int(size)
    if not host:
        if source != "typical":
            sys.exit("Linux reports no caches here, but caches_from = %r" % source)
    else:
        if source != "host":
            sys.exit("caches_from = %r, expected \"host\"" % source)
        for level, got in ((1, l1), (2, l2), (3, l3)):
            if level in host and host[level] != got:
                sys.exit("L%d: recorded %d bytes, Linux reports %d" % (level, got, host[level]))
print("nn.cpu: caches %d, %d, %d (%s), tile %dx%d, blocks MC %d NC %d KC %d"
      % (l1, l2, l3, source, mr, nr, mc, nc, kc))
