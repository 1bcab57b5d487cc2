#!/usr/bin/env python3
"""Compares a program's output with expected output, number by number.

  compare-numbers.py EXPECTED ACTUAL [--rtol R] [--atol A]

Both files are split into lines and whitespace-separated words. Words that
are numbers must agree within |a - e| <= atol + rtol * |e| (float32 results
against float64 references); other words must be equal. Every line and
every word must be there: an extra or a missing one is a failure. Exit 0
when everything agrees, 1 (with the first difference) otherwise.
"""
import argparse
import sys


def number(word):
    try:
        return float(word.rstrip(","))
    except ValueError:
        return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("expected")
    parser.add_argument("actual")
    parser.add_argument("--rtol", type=float, default=1e-5)
    parser.add_argument("--atol", type=float, default=1e-6)
    args = parser.parse_args()
    expected = [l.split() for l in open(args.expected) if l.strip() and not l.startswith("#")]
    actual = [l.split() for l in open(args.actual) if l.strip()]
    if len(expected) != len(actual):
        print(f"expected {len(expected)} lines, got {len(actual)}")
        return 1
    for n, (e_line, a_line) in enumerate(zip(expected, actual), 1):
        if len(e_line) != len(a_line):
            print(f"line {n}: expected {len(e_line)} words, got {len(a_line)}:\n"
                  f"  expected: {' '.join(e_line)}\n  actual:   {' '.join(a_line)}")
            return 1
        for e, a in zip(e_line, a_line):
            en, an = number(e), number(a)
            if en is None or an is None:
                ok = e == a
            else:
                ok = abs(an - en) <= args.atol + args.rtol * abs(en)
            if not ok:
                print(f"line {n}: expected {e}, got {a}:\n"
                      f"  expected: {' '.join(e_line)}\n  actual:   {' '.join(a_line)}")
                return 1
    print(f"{len(expected)} lines agree")
    return 0


if __name__ == "__main__":
    sys.exit(main())
