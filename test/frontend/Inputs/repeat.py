#!/usr/bin/env python3
"""Expands a .gn template into a long input for the front end's limit tests.

    repeat.py TEMPLATE COUNT > OUT.gn

Every line holding @REPEAT@ is written COUNT times (without the marker), with @I@ replaced by
1..COUNT and @I-1@ by 0..COUNT-1; @N@ on any line becomes COUNT. Every other line is copied,
so lines above the first repeated one keep their numbers (and their FileCheck [[@LINE]]).
Unexpanded, a template is itself an error test: '@' is not a .gn character.
"""
import sys


def main():
    template, count = sys.argv[1], int(sys.argv[2])
    out = []
    with open(template) as f:
        for line in f:
            line = line.replace("@N@", str(count))
            if "@REPEAT@" not in line:
                out.append(line)
                continue
            line = line.replace(" @REPEAT@", "").replace("@REPEAT@", "")
            for i in range(1, count + 1):
                out.append(line.replace("@I-1@", str(i - 1)).replace("@I@", str(i)))
    sys.stdout.write("".join(out))


if __name__ == "__main__":
    main()
