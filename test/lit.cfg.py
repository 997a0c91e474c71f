# lit configuration for gnc's suites (test/dialect, test/frontend, test/driver, ...).
# Loaded from the build tree's lit.site.cfg.py; ctest runs `lit -sv build/test/<suite>`.
import os
import sys

import lit.formats

config.name = "gnc"
config.test_format = lit.formats.ShTest(not lit_config.isWindows)
config.suffixes = [".mlir", ".gn"]

config.test_source_root = os.path.dirname(os.path.abspath(__file__))
config.test_exec_root = os.path.join(config.gnc_obj_root, "test")

# Helper inputs live in Inputs/ directories; fuzz/ and unit/ are not lit suites.
config.excludes = ["Inputs", "fuzz", "unit", "CMakeLists.txt", "lit.cfg.py",
                   "lit.site.cfg.py", "lit.site.cfg.py.in", "README.md"]

# gnc, gnc-opt first, then FileCheck, not, count.
for d in (config.llvm_tools_dir, config.gnc_tools_dir):
    config.environment["PATH"] = os.path.pathsep.join((d, config.environment["PATH"]))

config.substitutions.append(("%gnc-opt", os.path.join(config.gnc_tools_dir, "gnc-opt")))
config.substitutions.append(("%gnc", os.path.join(config.gnc_tools_dir, "gnc")))
config.substitutions.append(("%models", os.path.join(config.gnc_src_root, "models")))
config.substitutions.append(("%data", os.path.join(config.gnc_src_root, "data")))
# Generators of long inputs (test/frontend/Inputs/repeat.py) run with lit's own Python.
config.substitutions.append(("%python", sys.executable))

# Keep tests reproducible and free of colour codes.
config.environment["TERM"] = "dumb"

# Tests that run gnc-halide-gen (the Halide backend's generator, built only when CMake found
# Halide 14) say `REQUIRES: halide`.
if os.path.exists(os.path.join(config.gnc_tools_dir, "gnc-halide-gen")):
    config.available_features.add("halide")
