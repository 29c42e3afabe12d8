"""How well cnncalc reads real model code it was not tuned for: the held-out share.

bench/holdout/ holds real model files from ordinary public GitHub repositories (student
projects, homework, tutorials, paper code), each kept byte for byte under a header naming
its repository, path and commit. None of them is in tests/fixtures/realworld, and none was
looked at while cnncalc's reader was written: the share they give is the one a user meets.

For each file, cnncalc reads it as the CLI does, in a child process:
    cnncalc summary FILE -f json [--model NAME] [--input SHAPE]
and the oracle builds the same model with the real framework, in a child process of its
own (one per framework, each file in a fresh namespace, under a time limit):
  - PyTorch: the file is executed, the model is built as the manifest says, put in eval
    mode and run on zeros; trainable parameters, batch-norm running statistics and the
    output shape are read from torch.
  - Keras: the same with Keras 3 (any backend; torch is the one tested), when KERAS_PY
    names a python that can import keras (e.g. KERAS_PY=/path/venv/bin/python with
    KERAS_BACKEND=torch). `tensorflow.keras...` imports are served from keras, since the
    files are written against tf.keras. Without KERAS_PY the Keras files are skipped and
    the table says so.
Modules a file imports but never uses to build the model (torchvision, torchsummary)
are replaced by empty stand-ins in the oracle when they are not installed. The oracle
runs the stored files' code (cnncalc never does): add only files you have read.

Each file is then:
  exact    cnncalc's output shape, trainable and non-trainable parameters equal the oracle's
  refused  cnncalc exits 1 or 2 with one line `error: ...` (the construct is listed)
  WRONG    cnncalc prints figures (exit 0) that differ from the oracle's, or prints figures
           for a model the framework itself cannot build or run
  CRASH    a traceback, "internal error", a timeout, or an exit status other than 0, 1, 2
Files the framework cannot build or run (unfinished or broken code, as found) are
"invalid": they are outside the share, and cnncalc must refuse them (else WRONG).

The share is exact / (files the framework can build), per framework and overall.

Run: python bench/realworld_share.py [--only SUBSTRING] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOLDOUT = ROOT / "bench" / "holdout"
CLI_TIMEOUT_S = 30
ORACLE_TIMEOUT_S = 60  # per file, inside the oracle process


@dataclass(frozen=True)
class Entry:
    file: str
    framework: str  # "torch" or "keras"
    model: str | None  # cnncalc's --model, None when the file has one model
    build: str  # the oracle: an expression evaluated in the file's namespace after it runs
    shape: str | None  # --input (CxHxW for torch, HxWxC for Keras), None: the code's own
    why: str = ""  # where the input shape comes from, or why the file is as it is
    values: tuple[str, ...] = ()  # --set NAME=VALUE for what the oracle's build passes


# Files in the order the searches returned them (t31 was found late, out of order).
# Passed over, not stored:
#   download a dataset when run: Junseil/DL cifar/Resnet.py, ffjmmm/zslearning_EEG
#     classification_CIFAR10.py, Liv-Hsieh/PYKT0531 demo72.py;
#   machine-generated compiler tests: ise-uiuc/WhiteFox (several files);
#   define no model (scripts, snippets, a Flatten layer only): murumura/DCGAN-pytorch
#     main.py, asceznyk/mingan test.py, Beau-Smit/ML_project scripts/cnn.py,
#     pkumar2618/a4_2018CSZ8014_pawan_kumar pca_svm/cnn.py (as stored), A1ex-Chen/
#     DL_project_log and menna161/API-Wizard (one-function snippets), ML4GLand/EUGENe,
#     so77id/pytorch-template and winst13/cs231n-mammogram (layer helpers);
#   a d2l.Classifier subclass that needs the d2l package to build: AnikiFan/
#     JSAI-BIRADS-benchmark SeparableConv2D.py;
#   not in the stored index: github9000/Experiments-2 and pavelzw/proseminar-pytorch-keras.
ENTRIES: list[Entry] = [
    Entry("t01_chieh0622_lenet.py", "torch", "Net", "Net()", "1x28x28", "fc1 160 = 10*4*4"),
    Entry("t02_datou30h_net.py", "torch", "Net", "Net()", "1x28x28", "Linear(320) = 20*4*4"),
    Entry("t03_sssss1113_model.py", "torch", "Net", "Net()", "1x28x28", "fc1 64*12*12"),
    Entry("t04_wkim97_cnn_model.py", "torch", "MNIST_net", "MNIST_net()", "1x28x28",
          "fc1 64*4*4"),
    Entry("t05_fiit_client_model_1.py", "torch", "model1", "model1()", "1x28x28", "MNIST"),
    Entry("t06_fabacha_base_model.py", "torch", "CNN", "CNN()", "3x32x32", "its __main__"),
    Entry("t07_tangzeping_cnn_model.py", "torch", "CNN", "CNN()", "1x36x36",
          "its comments: [16, 18, 18] after the first pool"),
    Entry("t08_wbzuo_resnet.py", "torch", "BasicBlock", "BasicBlock(3, 64)", "3x224x224",
          "unfinished: forward returns an undefined name"),
    Entry("t09_adamniem_unet.py", "torch", "UNet", "UNet()", "2x64x64",
          "not valid Python: ends with a stray '*** End Patch' line"),
    Entry("t10_smarkandu_alex_net.py", "torch", "alex_net_model", "alex_net_model",
          "1x227x227", "broken: Conv2d(256, 384) after a 384-channel layer"),
    Entry("t11_zihsyuan1214_lenet5_small.py", "torch", "LeNet5", "LeNet5()", "1x28x28",
          "fc1 16*5*5 with padding=2"),
    Entry("t12_atri2333_lenet.py", "torch", "LeNet", "LeNet()", "3x32x32", "CIFAR-10"),
    Entry("t13_litterqi_lenet.py", "torch", "LeNet", "LeNet()", "1x48x48",
          "broken: fc1 takes 10*5*5 but forward views 20*5*5"),
    Entry("t14_lakshyasuri_lenet5.py", "torch", "LeNet5", "LeNet5()", "1x28x28",
          "fc1 16*4*4"),
    Entry("t15_s7a9_model.py", "torch", "Model", "Model()", "3x32x32", "fc1 3*32*32"),
    Entry("t16_piomonti_dcgan.py", "torch", "myDCGAN_arch", "myDCGAN_arch()", "200x1x1",
          "nz = 200 noise, viewed as 200x1x1 by forward"),
    Entry("t17_binney1_convae.py", "torch", "ConvAutoEncoder", "ConvAutoEncoder()",
          "1x28x28", "unfinished: no forward()"),
    Entry("t18_jainumsanghavi_model.py", "torch", "ConvAutoencoder", "ConvAutoencoder()",
          "3x28x28", "its comments: 28 -> 14 -> 7 -> 3"),
    Entry("t19_ulastanersoyak_encoder.py", "torch", "Autoencoder", "Autoencoder()",
          "3x64x64", "any size divisible by 4"),
    Entry("t20_doanthai161_autoencoder.py", "torch", "ConvAutoencoder", "ConvAutoencoder()",
          "3x64x64", "any size divisible by 4"),
    Entry("t21_icemagic33_vgg16.py", "torch", "VGG_16", "VGG_16(3, 1000)", "3x224x224",
          "unfinished: __init__ only"),
    Entry("t22_hanpy_vgg16.py", "torch", "VGG16", "VGG16()", "3x224x224",
          "unfinished (as stored): no forward()"),
    Entry("t23_anirban0011_depthconv.py", "torch", "DepthwiseSeparableConv",
          "DepthwiseSeparableConv()", "3072x7x7", "in_channels=3072 by default"),
    Entry("t24_jiyao17_model.py", "torch", "FashionMNIST_CNN", "FashionMNIST_CNN()",
          "1x28x28", "Linear 24*4*4"),
    Entry("t25_alexdcoder_models.py", "torch", "SimpleCNN", "SimpleCNN(10)", "3x64x64",
          "num_classes has no default; the oracle uses 10", ("num_classes=10",)),
    Entry("t26_ickma_simple_cnn.py", "torch", "SimpleCNNModel", "SimpleCNNModel()",
          "3x64x64", "its comments: input (BatchSize, 3, 64, 64)"),
    Entry("t27_eungyukm_common.py", "torch", "SimpleCNN", "SimpleCNN()", "3x64x64",
          "any size (adaptive pool)"),
    Entry("t28_tenkeyseven_simplenn.py", "torch", "SimpleNN", "SimpleNN()", "1x28x28",
          "broken: super(CNN, self) names an undefined class"),
    Entry("t29_jintaimeng_cnn.py", "torch", "CNN", "CNN()", "1x28x28",
          "broken: defines __format__ instead of forward"),
    Entry("t30_zengchen233_cifar10.py", "torch", "CIFAR10", "CIFAR10()", "3x32x32",
          "its __main__"),
    Entry("t31_cuipf1993_alexnet.py", "torch", "AlexNet", "AlexNet()", "3x224x224",
          "not valid Python: 'kernel_size 5', a missing comma"),
    Entry("k01_kbigstar_cnn_mnist.py", "keras", None, "model", None),
    Entry("k02_catbrower_cnn.py", "keras", None, "model", None),
    Entry("k03_ycui1_keras_parameters_count.py", "keras", None, "model", None),
    Entry("k04_minkeshtu_test_model.py", "keras", None, "model", None,
          "tf 1.x import paths"),
    Entry("k05_wzmiaomiao_model.py", "keras", "MyModel", "MyModel()", "28x28x1",
          "its comments: input [batch, 28, 28, 1]"),
    Entry("k06_shank404_main.py", "keras", None, "model", None,
          "broken: tensorflow._compat, Model(inputs='imageInput')"),
    Entry("k07_nozim2001_models.py", "keras", None, "model", None),
    Entry("k08_switzerchees_first_model.py", "keras", None, "model", None),
    Entry("k09_aadi350_sequentialmodel.py", "keras", None, "model", None),
    Entry("k10_kodingkoning_hw4.py", "keras", None, "model", None),
    Entry("k11_akibda_functional.py", "keras", "model@33", "model", None,
          "the last `model`: a two-output functional model"),
]


# --- the oracle: runs in a child process, one per framework ------------------------------

ORACLE = r'''
import contextlib, importlib, importlib.abc, importlib.util, io, json, signal, sys, types
framework, timeout, entries = sys.argv[1], int(sys.argv[2]), json.loads(sys.stdin.read())


class Stand(types.ModuleType):
    """An installed-nowhere module the file imports but does not build with."""
    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return Stand(f"{self.__name__}.{name}")
    def __call__(self, *a, **k):
        return Stand(self.__name__ + "()")


class Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """tensorflow[.python|._api.v1].keras.X -> keras.X; stand-ins for absent extras."""
    ABSENT = {t for t in ("torchvision", "torchsummary") if importlib.util.find_spec(t) is None}
    def find_spec(self, name, path, target=None):
        top = name.split(".")[0]
        if top == "tensorflow" or top in self.ABSENT:
            return importlib.util.spec_from_loader(name, self)
        return None
    def create_module(self, spec):
        name = spec.name
        if name.startswith("tensorflow"):
            parts = name.split(".")
            if "keras" in parts:
                return importlib.import_module(".".join(parts[parts.index("keras"):]))
            m = types.ModuleType(name)  # tensorflow, or a package on the way to keras
            if name == "tensorflow":
                m.keras = importlib.import_module("keras")
            m.__path__ = []
            return m
        m = Stand(name)
        m.__path__ = []
        return m
    def exec_module(self, module):
        pass


def alarm(signum, frame):
    raise TimeoutError(f"no result in {timeout} s")


signal.signal(signal.SIGALRM, alarm)

if framework == "torch":
    import torch

    def figures(model, shape):
        model.eval()
        with torch.no_grad():
            out = model(torch.zeros(1, *shape))
        trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
        frozen = sum(p.numel() for p in model.parameters() if not p.requires_grad)
        stats = sum(b.numel() for n, b in model.named_buffers()
                    if n.endswith(("running_mean", "running_var")))
        outs = out if isinstance(out, (tuple, list)) else [out]
        return [list(o.shape[1:]) for o in outs], trainable, frozen + stats
else:
    import numpy as np
    import keras

    def figures(model, shape):
        if shape is not None and not model.built:
            model(np.zeros((1, *shape), dtype="float32"))
        trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
        frozen = sum(int(np.prod(w.shape)) for w in model.non_trainable_weights)
        try:
            outs = model.outputs
        except Exception:
            outs = None
        if outs:
            shapes = [list(o.shape[1:]) for o in outs]
        else:
            y = model(np.zeros((1, *shape), dtype="float32"))
            ys = y if isinstance(y, (tuple, list)) else [y]
            shapes = [list(t.shape[1:]) for t in ys]
        return shapes, trainable, frozen

    from keras.src.utils import module_utils
    module_utils.tensorflow.available  # settle "no tensorflow" before the alias exists

sys.meta_path.insert(0, Finder())  # after the framework's own imports, which it must not see
results = {}
real_stdout = sys.stdout
for e in entries:
    scope = {"__name__": "__holdout__", "__file__": e["path"]}
    note = ""
    signal.alarm(timeout)
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            code = compile(open(e["path"], encoding="utf-8").read(), e["path"], "exec")
            try:
                exec(code, scope)
            except Exception as ex:  # a statement after the model may fail (fit, save)
                if framework != "keras" or e["build"] not in scope:
                    raise
                note = f"the file raised after building it: {type(ex).__name__}: {ex}"
            model = eval(e["build"], scope)
            shape = e["oracle_shape"]
            shapes, trainable, frozen = figures(model, shape)
        results[e["file"]] = {"ok": True, "outputs": shapes, "trainable": trainable,
                              "non_trainable": frozen, "note": note}
    except BaseException as ex:
        msg = " ".join(f"{type(ex).__name__}: {ex}".split())
        results[e["file"]] = {"ok": False, "error": msg[:200]}
    finally:
        signal.alarm(0)
real_stdout.write(json.dumps(results))
'''


def oracle_shape(e: Entry) -> list[int] | None:
    if e.shape is None:
        return None
    return [int(n) for n in e.shape.split("x")]


def run_oracle(python: str, framework: str, entries: list[Entry],
               env: dict[str, str]) -> dict[str, dict[str, object]]:
    payload = [{"file": e.file, "path": str(HOLDOUT / e.file), "build": e.build,
                "oracle_shape": oracle_shape(e)} for e in entries]
    with tempfile.TemporaryDirectory() as cwd:  # where a file's model.save() writes
        proc = subprocess.run([python, "-c", ORACLE, framework, str(ORACLE_TIMEOUT_S)],
                              input=json.dumps(payload), capture_output=True, text=True,
                              cwd=cwd, env=env, timeout=ORACLE_TIMEOUT_S * len(entries) + 60)
    if proc.returncode != 0:
        raise SystemExit(f"the {framework} oracle failed:\n{proc.stderr[-3000:]}")
    result: dict[str, dict[str, object]] = json.loads(proc.stdout)
    return result


# --- cnncalc, as the CLI runs it -----------------------------------------------------------

def cli_command(e: Entry) -> list[str]:
    cmd = [sys.executable, "-m", "cnncalc", "summary", str(HOLDOUT / e.file), "-f", "json"]
    if e.model is not None:
        cmd += ["--model", e.model]
    if e.shape is not None:
        cmd += ["--input", e.shape]
    for v in e.values:
        cmd += ["--set", v]
    return cmd


def run_cnncalc(e: Entry) -> dict[str, object]:
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cli_command(e), capture_output=True, text=True, cwd=ROOT,
                              timeout=CLI_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return {"rc": None, "stdout": "", "stderr": f"timed out after {CLI_TIMEOUT_S} s",
                "s": CLI_TIMEOUT_S}
    return {"rc": proc.returncode, "stdout": proc.stdout, "stderr": proc.stderr,
            "s": time.perf_counter() - t0}


def cnncalc_figures(stdout: str) -> tuple[list[list[int]], int, int] | None:
    try:
        d = json.loads(stdout)
    except json.JSONDecodeError:
        return None
    out = d.get("output_shape")
    outs = out if out and isinstance(out[0], list) else [out]
    return [list(o) for o in outs], int(d["trainable_params"]), int(d["non_trainable_params"])


def classify(e: Entry, oracle: dict[str, object] | None,
             run: dict[str, object]) -> tuple[str, str]:
    """(verdict, detail)."""
    rc, err = run["rc"], str(run["stderr"]).strip()
    crashed = rc is None or rc not in (0, 1, 2) or "Traceback" in err \
        or "internal error" in err.lower() or "Traceback" in str(run["stdout"])
    if crashed:
        return "CRASH", f"rc={rc}: {err[-300:]}"
    if rc != 0:
        lines = err.splitlines()
        if len(lines) == 1 and lines[0].startswith("error: "):
            verdict = "refused" if oracle is None or oracle["ok"] else "invalid-refused"
            return verdict, lines[0][len("error: "):]
        return "CRASH", f"rc={rc}, not one line 'error: ...': {err[:300]}"
    mine = cnncalc_figures(str(run["stdout"]))
    if mine is None:
        return "CRASH", "exit 0 without a JSON summary"
    if oracle is None:
        return "unchecked", f"cnncalc: {mine}"
    if not oracle["ok"]:
        return "WRONG", f"figures {mine} for code the framework rejects: {oracle['error']}"
    theirs = (oracle["outputs"], oracle["trainable"], oracle["non_trainable"])
    if (mine[0], mine[1], mine[2]) == theirs:
        return "exact", ""
    return "WRONG", f"cnncalc {mine} vs oracle {list(theirs)}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default="", help="run only files whose name contains this")
    ap.add_argument("--json", type=Path, help="also write every row as JSON here")
    args = ap.parse_args()
    entries = [e for e in ENTRIES if args.only in e.file]
    t0 = time.perf_counter()

    env = dict(os.environ)
    keras_py = os.environ.get("KERAS_PY")
    env.setdefault("KERAS_BACKEND", "torch")
    oracles: dict[str, dict[str, object]] = {}
    torch_entries = [e for e in entries if e.framework == "torch"]
    keras_entries = [e for e in entries if e.framework == "keras"]
    with ThreadPoolExecutor(max_workers=2) as pool:
        jobs = []
        if torch_entries:
            jobs.append(pool.submit(run_oracle, sys.executable, "torch", torch_entries, env))
        if keras_entries and keras_py:
            jobs.append(pool.submit(run_oracle, keras_py, "keras", keras_entries, env))
        runs = dict(zip([e.file for e in entries], pool.map(run_cnncalc, entries)))
        for job in jobs:
            oracles.update(job.result())

    rows = []
    for e in entries:
        oracle = oracles.get(e.file)
        verdict, detail = classify(e, oracle, runs[e.file])
        if oracle is None and verdict == "refused":
            verdict = "refused (unchecked)"
        rows.append({"file": e.file, "framework": e.framework, "verdict": verdict,
                     "detail": detail, "command": " ".join(cli_command(e)[2:]),
                     "oracle": oracle, "cnncalc_s": round(float(str(runs[e.file]["s"])), 3)})

    width = max(len(r["file"]) for r in rows)
    print(f"{'file':{width}}  {'verdict':16}  detail")
    for r in rows:
        print(f"{r['file']:{width}}  {r['verdict']:16}  {r['detail'][:110]}")
    print()
    for fw in ("torch", "keras", "all"):
        mine = [r for r in rows if fw in ("all", r["framework"])]
        counted = [r for r in mine if r["oracle"] is not None and r["oracle"]["ok"]]
        n = {v: sum(r["verdict"] == v for r in counted) for v in ("exact", "refused", "WRONG",
                                                                  "CRASH")}
        invalid = [r for r in mine if r["oracle"] is not None and not r["oracle"]["ok"]]
        bad = {v: sum(r["verdict"] == v for r in invalid) for v in ("WRONG", "CRASH")}
        skipped = sum(r["oracle"] is None for r in mine)
        share = f"{100 * n['exact'] / len(counted):.0f}%" if counted else "-"
        print(f"{fw:5}: {n['exact']}/{len(counted)} exact ({share}), {n['refused']} refused, "
              f"{n['WRONG']} WRONG, {n['CRASH']} CRASH; {len(invalid)} invalid files: "
              f"{len(invalid) - bad['WRONG'] - bad['CRASH']} refused, {bad['WRONG']} WRONG, "
              f"{bad['CRASH']} CRASH"
              + (f"; {skipped} not checked (set KERAS_PY)" if skipped else ""))
    print(f"\n{len(rows)} files in {time.perf_counter() - t0:.1f} s")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
