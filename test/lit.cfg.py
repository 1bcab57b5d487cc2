# lit configuration for nnc's tests. Tests mirror the source folders:
# frontend/ (.nn files through nnc), ir/ and passes/ (.mlir through nn-opt),
# codegen/ (whole pipelines), e2e/ (build programs, run them, check numbers).
import os
import lit.formats

config.name = "nnc"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir", ".nn", ".test"]
config.excludes = ["Inputs", "tools", "runtime", "CMakeLists.txt", "tf_reference.py", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.nnc_obj_root, "test")

# nnc, nn-opt first; then FileCheck, not, count from LLVM.
config.environment["PATH"] = os.pathsep.join(
    [config.nnc_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", "")])
config.substitutions.append(("%examples", os.path.join(config.nnc_src_root, "examples")))
config.substitutions.append(("%nnc_src", config.nnc_src_root))
config.substitutions.append(("%nnc_build", config.nnc_obj_root))
config.substitutions.append(("%inputs", os.path.join(config.test_source_root, "Inputs")))
if os.path.isdir("/usr/share/datasets/fashion-mnist"):
    config.available_features.add("fashion-mnist")
config.substitutions.append(
    ("%compare", "python3 " + os.path.join(config.test_source_root, "tools", "compare-numbers.py")))
config.substitutions.append(("%python", "python3"))

# The checking build (scripts/test.sh --sanitize): a sanitizer's report
# aborts the process, so that it is a crash even where a test expects an
# error exit (`not` fails on a crash; a plain error exit would pass it).
# The settings are test/CMakeLists.txt's, which the unit tests get too.
if config.nnc_sanitize:
    config.available_features.add("sanitize")
    config.environment["ASAN_OPTIONS"] = config.nnc_asan_options
    config.environment["UBSAN_OPTIONS"] = config.nnc_ubsan_options
    config.environment["ASAN_SYMBOLIZER_PATH"] = os.path.join(config.llvm_tools_dir, "llvm-symbolizer")

# libdevice (the CUDA toolkit's math for PTX), when nnc was built with it:
# --target=cuda programs whose kernels call exp, log or tanh need it.
if config.nnc_libdevice and os.path.exists(config.nnc_libdevice):
    config.available_features.add("libdevice")

# ptxas from the CUDA toolkit, when present, assembles every PTX the tests emit
# (test/codegen/gpu/ptxas.test); without it those tests are UNSUPPORTED.
import shutil
ptxas = shutil.which("ptxas") or ("/usr/local/cuda/bin/ptxas"
                                  if os.path.exists("/usr/local/cuda/bin/ptxas") else None)
if ptxas:
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", ptxas))
config.substitutions.append(
    ("%close_tensors", "python3 " + os.path.join(config.test_source_root, "tools", "close-tensors.py")))

# Graphviz's `dot` (scripts/setup.sh installs it) renders --emit=dot in the
# tests that check the picture itself; without it they are UNSUPPORTED.
if shutil.which("dot"):
    config.available_features.add("graphviz")

# Debian's chromium (scripts/setup.sh installs it) opens --report pages
# headless in test/e2e/compile-report.test.
chromium = shutil.which("chromium")
if chromium:
    config.available_features.add("chromium")
    config.substitutions.append(("%chromium", chromium))
