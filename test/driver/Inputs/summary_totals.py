"""For every model: `gnc summary`'s total against the trainable state of the model info that
the built program's `info` reports (the `gnc.model_info` that `--stage=linalg` carries)."""
import glob
import json
import os
import re
import subprocess
import sys

gnc, models = sys.argv[1], sys.argv[2]
failed = False
for path in sorted(glob.glob(os.path.join(models, "*.gn"))):
    name = os.path.basename(path)
    summary = subprocess.run([gnc, "summary", path], check=True, capture_output=True, text=True).stdout
    total = int(re.search(r"^total parameters: (\d+)$", summary, re.M).group(1))
    ir = subprocess.run([gnc, "ir", path, "--stage=linalg"], check=True, capture_output=True,
                        text=True).stdout
    # MLIR prints a string attribute with \XX hex escapes.
    escaped = re.search(r'gnc\.model_info = "((?:[^"\\]|\\[0-9A-Fa-f]{2})*)"', ir).group(1)
    info = json.loads(re.sub(r"\\([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), escaped))
    expected = 0
    for s in info["state"]:
        if s["trainable"]:
            n = 1
            for d in s["shape"]:
                n *= d
            expected += n
    print(f"{name}: summary {total}, model info {expected}")
    failed |= total != expected
sys.exit(1 if failed else 0)
