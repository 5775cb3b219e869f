"""Run the libraries on the "Convention table" of spec/convolution.md and compare with our convention.

Every table entry that an importable library can decide (plus the scipy 'same' facts of the section
"Consequences for other libraries") is computed by running the library on small hand-made inputs
(distinct arange values; odd, even and mixed kernels) and compared with our ops, implemented below
as short plain-Python loops straight from the spec: conv1d/conv2d = cross-correlation of the
zero-padded input with W' = W or flip(W) (reversal), padding valid/same/same_lower/full/explicit,
strides, dilation; max pool, whose backward routes dy to the first maximum in row-major window
order; avg pool dividing by the real samples (or by P1*P2, to model a library that counts pads).
  scipy.signal  convolve2d/correlate2d and convolve/correlate (n-d), modes valid/full/same;
  torch         conv1d/conv2d (valid, padding='same' with even kernels, 'same' refused with stride 2,
                int padding, F.pad), max_pool2d/avg_pool2d with padding (count_include_pad both
                ways), relu'(0), max-pool backward with tied maxima; on CPU and, if present, CUDA;
  tensorflow    (only if it imports) the same rows through tf.nn, backward on CPU and GPU;
  onnx          (only if onnx and onnxruntime import) Conv auto_pad/pads, MaxPool/AveragePool pads,
                MaxPool Indices on ties.
An entry whose library, numpy or CUDA is missing prints SKIPPED with the reason. Self-checks first
confirm that the plain-Python reference reproduces the spec's worked examples (no numpy needed).

Run:  python3 spec/tools/check_conventions.py [--markdown FILE]
One line per entry (VERIFIED, MISMATCH with both arrays, or SKIPPED), then a summary with versions;
--markdown FILE also writes a Markdown table of the results. Exit 0 unless something MISMATCHes
(a failed self-check counts). Python 3.10+; numpy, scipy, torch, tensorflow, onnx are optional.
"""
import sys

try: import numpy as np
except ImportError: np = None
try: import scipy, scipy.signal as sps
except ImportError: scipy = sps = None
try: import torch, torch.nn.functional as F
except ImportError: torch = F = None
try: import tensorflow as tf
except ImportError: tf = None
try: import onnx, onnxruntime as ort; from onnx import helper, TensorProto
except ImportError: onnx = ort = None

# ---- our convention, plain Python on lists of lists (spec/convolution.md, pooling-activation-dense.md) ----
def resolve(mode, n, k, s=1, d=1):
    """(before, after, M) on one axis; mode is valid|full|same|same_lower or a (before, after) pair."""
    keff = (k - 1) * d + 1
    if isinstance(mode, tuple):
        b, a = mode
    elif mode in ("valid", "full"):
        b = a = 0 if mode == "valid" else keff - 1
    else:  # same / same_lower: Ptot = max((ceil(N/s) - 1)*s + Keff - N, 0), odd zero at the end / start
        tot = max((-(-n // s) - 1) * s + keff - n, 0)
        b = tot // 2 if mode == "same" else tot - tot // 2
        a = tot - b
    return b, a, (n + b + a - keff) // s + 1

def conv2d(x, w, padding="valid", reversal=False, strides=(1, 1), dilation=(1, 1)):
    """y[i1,i2] = sum_k1 sum_k2 W'[k1,k2] x[i1 s1 + k1 d1 - top, i2 s2 + k2 d2 - left]; padding: mode or (T,B,L,R)."""
    if reversal:
        w = [row[::-1] for row in w[::-1]]
    (s1, s2), (d1, d2) = strides, dilation
    p1, p2 = (padding[:2], padding[2:]) if isinstance(padding, tuple) else (padding, padding)
    b1, _, m1 = resolve(p1, len(x), len(w), s1, d1)
    b2, _, m2 = resolve(p2, len(x[0]), len(w[0]), s2, d2)
    y = [[0.0] * m2 for _ in range(m1)]
    for i1 in range(m1):
        for i2 in range(m2):
            for k1 in range(len(w)):
                for k2 in range(len(w[0])):
                    r, c = i1 * s1 + k1 * d1 - b1, i2 * s2 + k2 * d2 - b2
                    if 0 <= r < len(x) and 0 <= c < len(x[0]):
                        y[i1][i2] += w[k1][k2] * x[r][c]
    return y

def conv1d(x, w, padding="valid", reversal=False, stride=1, dilation=1):
    """One row of conv2d; explicit padding is (L, R)."""
    p = (0, 0) + padding if isinstance(padding, tuple) else padding
    return conv2d([x], [w], p, reversal, (1, stride), (1, dilation))[0]

def windows(x, pool, strides, padding):
    """The real (r, q) of each window (i1, i2), in row-major window order (k1 outer, k2 inner)."""
    (n1, n2), (p1, p2), (s1, s2) = (len(x), len(x[0])), pool, strides
    b1, _, m1 = resolve(padding, n1, p1, s1)
    b2, _, m2 = resolve(padding, n2, p2, s2)
    return [[[(r, q) for r in range(i1 * s1 - b1, i1 * s1 - b1 + p1) for q in range(i2 * s2 - b2, i2 * s2 - b2 + p2)
              if 0 <= r < n1 and 0 <= q < n2] for i2 in range(m2)] for i1 in range(m1)]

def first_max(x, win):
    return max(win, key=lambda p: x[p[0]][p[1]])  # max() returns the first maximal item

def max_pool(x, pool, strides, padding="valid"):
    return [[x[r][q] for r, q in (first_max(x, w) for w in row)] for row in windows(x, pool, strides, padding)]

def max_pool_backward(x, dy, pool, strides, padding="valid"):
    dx = [[0.0] * len(x[0]) for _ in x]
    for i1, row in enumerate(windows(x, pool, strides, padding)):
        for i2, win in enumerate(row):
            r, q = first_max(x, win)
            dx[r][q] += dy[i1][i2]
    return dx

def avg_pool(x, pool, strides, padding="valid", count_pads=False):
    return [[sum(x[r][q] for r, q in win) / (pool[0] * pool[1] if count_pads else len(win)) for win in row]
            for row in windows(x, pool, strides, padding)]

def neg(x): return [[-v for v in row] for row in x]
def ones(n1, n2): return [[1.0] * n2 for _ in range(n1)]
def arange2(n1, n2): return [[float(n2 * i + j + 1) for j in range(n2)] for i in range(n1)]

X, X7, X1 = arange2(5, 6), arange2(7, 8), [float(v) for v in range(1, 8)]  # distinct values
KERNELS = {"3x3": [[1.0, 2, 0], [0, 3, 1], [4, 0, 2]], "2x2": [[1.0, 2], [3, 5]],
           "2x3": [[1.0, 2, 3], [4, 5, 7]], "4x4": arange2(4, 4)}
K1D = [[1.0, 2], [1.0, 2, 4], [1.0, 2, 3, 4]]
TIE_X, TIE_DY = [[1.0, 3, 2, 2], [3, 0, 1, 2], [4, 2, 0, 5], [1, 6, 5, 1]], [[10.0, 20], [30, 40]]  # spec example
TIES = (("spec example", TIE_X, TIE_DY, (2, 2), (2, 2)), ("2x2 all tied", ones(2, 2), [[1.0]], (2, 2), (2, 2)),
        ("ones 3x3, pool 2 stride 1", ones(3, 3), [[1.0, 2], [3, 4]], (2, 2), (1, 1)),
        ("overlap [1,5,2]", [[1.0, 5, 2]], [[1.0, 2]], (1, 2), (1, 1)))
R_REV, R_SAME, R_EXPL = "kernel reversal in conv", "'same' conv, odd total padding", "explicit padding"
R_MAXP, R_AVGP, R_RELU, R_TIE = "max pool: padding", "avg pool: padding", "relu'(0)", "max-pool backward with tied maxima"

# ---- entries and runner ----
ENTRIES, RESULTS = [], []  # ENTRIES: (row, column, needs, call, fn), fn() -> [(case, library result, ours)]

def entry(row, col, needs, call):
    return lambda fn: ENTRIES.append((row, col, needs, call, fn))

def close(a, b, tol=1e-6):
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        return (isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)) and len(a) == len(b)
                and all(close(u, v, tol) for u, v in zip(a, b)))
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    return abs(a - b) <= tol * (1 + abs(b))

CUDA = torch is not None and torch.cuda.is_available()

def library(needs):
    """(version, None) if the entry can run, else (None, why not); needs is self|scipy|torch:DEV|tf[:gpu]|onnx."""
    lib, _, dev = needs.partition(":")
    if lib == "self":
        return "plain Python", None
    if np is None or {"scipy": sps, "torch": torch, "tf": tf, "onnx": ort}[lib] is None:
        return None, ("numpy" if np is None else {"tf": "tensorflow", "onnx": "onnx/onnxruntime"}.get(lib, lib)) + " missing"
    if lib == "scipy":
        return f"scipy {scipy.__version__}", None
    if lib == "onnx":
        return f"onnx {onnx.__version__}, onnxruntime {ort.__version__}", None
    if lib == "torch" and dev == "cuda":
        return (f"torch {torch.__version__} (CUDA {torch.version.cuda}, {torch.cuda.get_device_name(0)})", None) if CUDA \
            else (None, "CUDA missing")
    if lib == "torch":
        return f"torch {torch.__version__} (CPU)", None
    if dev == "gpu" and not tf.config.list_physical_devices("GPU"):
        return None, "TensorFlow GPU missing"
    return f"tensorflow {tf.__version__} ({dev.upper() or 'CPU'})", None

def run_entry(row, col, needs, call, fn):
    ver, why = library(needs)
    status, detail = ("SKIPPED", why) if why else ("VERIFIED", "")
    if not why:
        try:
            for case, got, want in fn():
                if not close(got, want):
                    status, detail = "MISMATCH", f"case {case}\n    library: {got}\n    ours:    {want}"
                    break
        except Exception as e:  # a call that fails does not behave as the table says
            status, detail = "MISMATCH", f"raised {type(e).__name__}: {e}"
    RESULTS.append((row, col, call, ver or "-", status, detail))
    print(f"{status:8} | {row} | {col} | {call}" + (f"\n    {detail}" if detail else ""))

def lst(a):
    return np.asarray(a, dtype=float).tolist()

# ---- self-checks: the reference above reproduces the spec's worked examples ----
X4, W2, SL = [1, 2, 3, 4], [1, 2], ("same", "same_lower")
SELF = [("conv1d ex.1 full, reversal true/false", [conv1d(X4, W2, "full", True), conv1d(X4, W2, "full")],
         [[1, 4, 7, 10, 8], [2, 5, 8, 11, 4]]),
        ("conv1d ex.1 valid", [conv1d(X4, W2), conv1d(X4, W2, reversal=True)], [[5, 8, 11], [4, 7, 10]]),
        ("conv1d ex.2 same/same_lower", [conv1d(X4, W2, m, r) for m in SL for r in (False, True)],
         [[5, 8, 11, 4], [4, 7, 10, 8], [2, 5, 8, 11], [1, 4, 7, 10]]),
        ("conv1d ex.3 stride 2", [conv1d(list(range(1, 9)), [1, 1, 1], m, stride=2) for m in SL],
         [[6, 12, 18, 15], [3, 9, 15, 21]]),
        ("conv2d ex.4", conv2d([[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0], [0, 1, 1, 0, 0]],
                               [[1, 0, 1], [0, 1, 0], [1, 0, 1]]), [[4, 3, 4], [2, 4, 3], [2, 3, 4]]),
        ("published scipy 'same' values (issue #1968, jax PR #2675) = same, same, same_lower",
         [conv2d(ones(4, 4), ones(4, 4), "same")[0], conv1d(X4, X4, "same"), conv1d(X4, X4, "same_lower")],
         [[9, 12, 9, 6], [20, 30, 20, 11], [11, 20, 30, 20]]),
        ("max_pool2d and backward example", [max_pool(TIE_X, (2, 2), (2, 2)), max_pool_backward(*TIES[0][1:])],
         [[[3, 2], [6, 5]], [[0, 10, 20, 0], [0, 0, 0, 0], [0, 0, 0, 40], [0, 30, 0, 0]]]),
        ("max-pool backward overlap example", max_pool_backward(*TIES[3][1:]), [[0, 3, 0]]),
        ("pool same/same_lower example", [f([[1, 2, 3, 4, 5]], (1, 2), (1, 2), m)[0] for m in SL for f in (avg_pool, max_pool)],
         [[1.5, 3.5, 5], [2, 4, 5], [1, 2.5, 4.5], [1, 3, 5]])]
for name, got, want in SELF:
    entry("self-check", "ours", "self", name)(lambda got=got, want=want: [("", got, want)])

# ---- scipy.signal ----
S, VF = "scipy.signal", [(m, k, w) for m in ("valid", "full") for k, w in KERNELS.items()]
entry(R_REV, S, "scipy", "convolve2d(x, w, 'valid'|'full') = reversal=true valid|full")(
    lambda: [((m, k), lst(sps.convolve2d(np.array(X), np.array(w), m)), conv2d(X, w, m, True)) for m, k, w in VF])
entry(R_REV, S, "scipy", "correlate2d(x, w, 'valid'|'full') = reversal=false valid|full")(
    lambda: [((m, k), lst(sps.correlate2d(np.array(X), np.array(w), m)), conv2d(X, w, m)) for m, k, w in VF])
entry(R_SAME, S, "scipy", "convolve2d(x, w, 'same') = reversal=true + same_lower")(
    lambda: [(k, lst(sps.convolve2d(np.array(X), np.array(w), "same")), conv2d(X, w, "same_lower", True))
             for k, w in KERNELS.items()])
SAME2 = [(k, X, w) for k, w in KERNELS.items()] + [("ones 4x4", ones(4, 4), ones(4, 4)), ("[[1,2,3,4]]", [X4], [X4])]
entry(R_SAME, S, "scipy", "correlate2d(x, w, 'same') = reversal=false + same (extra zero at the end)")(
    lambda: [(k, lst(sps.correlate2d(np.array(x), np.array(w), "same")), conv2d(x, w, "same")) for k, x, w in SAME2])

def nd_cases(fname, rev):
    f, res = getattr(sps, fname), []
    for method in ("direct", "fft"):
        for m, ours in (("valid", "valid"), ("full", "full"), ("same", "same_lower")):
            res += [((method, m, k), lst(f(np.array(X), np.array(w), m, method=method)), conv2d(X, w, ours, rev))
                    for k, w in KERNELS.items()]
            res += [((method, m, w), lst(f(np.array(X1), np.array(w), m, method=method)), conv1d(X1, w, ours, rev))
                    for w in K1D + [X4 + [5, 6, 7]]]
    return res

for fname, rev in (("correlate", False), ("convolve", True)):
    entry(R_SAME, S, "scipy", f"{fname}(x, w, 'valid'|'full'|'same', method='direct'|'fft'), 1-D and 2-D "
          f"= reversal={str(rev).lower()} + valid|full|same_lower")(lambda fname=fname, rev=rev: nd_cases(fname, rev))

# ---- PyTorch: NCL/NCHW input, OIK/OIHW weight, float64 unless said ----
def tt(a, dev, dtype=None, grad=False):
    return torch.tensor([[a]], dtype=dtype or torch.float64, device=dev, requires_grad=grad)  # shape [1, 1, ...]

def out(y):
    return y[0, 0].detach().cpu().tolist()

def refuses(fn):
    try:
        fn()
        return "returns"
    except (ValueError, RuntimeError):
        return "raises"

def relu_grad(dev):
    x = torch.tensor([-1.0, 0.0, 2.0], dtype=torch.float64, device=dev, requires_grad=True)
    F.relu(x).backward(torch.tensor([5.0, 6.0, 7.0], dtype=torch.float64, device=dev))
    return [("x=[-1,0,2], dy=[5,6,7]", x.grad.cpu().tolist(), [0.0, 0.0, 7.0])]

def tie_grad(dev):
    res = []
    for dtype in (torch.float32, torch.float64):
        for name, x, dy, p, s in TIES:
            xt = tt(x, dev, dtype, grad=True)
            F.max_pool2d(xt, p, stride=s).backward(tt(dy, dev, dtype))
            res.append(((name, str(dtype)), xt.grad[0, 0].cpu().tolist(), max_pool_backward(x, dy, p, s)))
    return res

for dev in ("cpu", "cuda"):
    need, col = f"torch:{dev}", f"PyTorch ({dev})"
    entry(R_REV, col, need, "F.conv2d(x, w[, stride=(2,1), dilation=(1,2)]), F.conv1d(x, w) = reversal=false valid")(
        lambda dev=dev: [(k, out(F.conv2d(tt(X, dev), tt(w, dev))), conv2d(X, w)) for k, w in KERNELS.items()]
        + [(k + " s(2,1) d(1,2)", out(F.conv2d(tt(X7, dev), tt(w, dev), stride=(2, 1), dilation=(1, 2))),
            conv2d(X7, w, strides=(2, 1), dilation=(1, 2))) for k, w in KERNELS.items()]
        + [(w, out(F.conv1d(tt(X1, dev), tt(w, dev))), conv1d(X1, w)) for w in K1D])
    entry(R_SAME, col, need, "F.conv2d(x, w, padding='same', dilation=d), F.conv1d(x, w, padding='same'), "
          "even and odd kernels = same (extra zero at the end)")(
        lambda dev=dev: [((k, d), out(F.conv2d(tt(X, dev), tt(w, dev), padding="same", dilation=d)),
                          conv2d(X, w, "same", dilation=d)) for k, w in KERNELS.items() for d in ((1, 1), (1, 3))]
        + [(w, out(F.conv1d(tt(X1, dev), tt(w, dev), padding="same")), conv1d(X1, w, "same")) for w in K1D])
    entry(R_SAME, col, need, "F.conv2d(x, w, padding='same', stride=2) is refused (stride 1 only)")(
        lambda dev=dev: [("2x2", refuses(lambda: F.conv2d(tt(X, dev), tt(KERNELS["2x2"], dev), padding="same", stride=2)),
                          "raises")])
    entry(R_EXPL, col, need, "F.conv2d(x, w, padding=(1,2)) = explicit 1,1,2,2; "
          "F.conv2d(F.pad(x, (L,R,T,B)), w, stride=s) = explicit T,B,L,R")(
        lambda dev=dev: [(k, out(F.conv2d(tt(X, dev), tt(w, dev), padding=(1, 2))), conv2d(X, w, (1, 1, 2, 2)))
                         for k, w in KERNELS.items()]
        + [((k, s), out(F.conv2d(F.pad(tt(X, dev), (1, 0, 0, 2)), tt(w, dev), stride=s)),
            conv2d(X, w, (0, 2, 1, 0), strides=s)) for k, w in KERNELS.items() for s in ((1, 1), (2, 2))])
    entry(R_MAXP, col, need, "F.max_pool2d(-x, 3, stride=s, padding=1) = max_pool2d same (pads never win)")(
        lambda dev=dev: [(s, out(F.max_pool2d(tt(neg(x), dev), 3, stride=s, padding=1)),
                          max_pool(neg(x), (3, 3), (s, s), "same")) for s, x in ((1, X), (2, arange2(5, 7)))])
    entry(R_AVGP, col, need, "F.avg_pool2d(x, 3, 1, 1) counts pads (corner of ones = 4/9); "
          "count_include_pad=False = avg_pool2d same")(
        lambda dev=dev: [("ones, corner", out(F.avg_pool2d(tt(ones(4, 5), dev), 3, 1, 1))[0][0], 4 / 9)]
        + [(("default", n), out(F.avg_pool2d(tt(x, dev), 3, 1, 1)), avg_pool(x, (3, 3), (1, 1), "same", True))
           for n, x in (("ones", ones(4, 5)), ("x", X))]
        + [(("count_include_pad=False", n), out(F.avg_pool2d(tt(x, dev), 3, 1, 1, count_include_pad=False)),
            avg_pool(x, (3, 3), (1, 1), "same")) for n, x in (("ones", ones(4, 5)), ("x", X))])
    entry(R_RELU, col, need, "autograd of F.relu at 0 = 0")(lambda dev=dev: relu_grad(dev))
    entry(R_TIE, col, need, "autograd of F.max_pool2d (float32, float64): dy to the first maximum, row-major")(
        lambda dev=dev: tie_grad(dev))

# ---- TensorFlow: NHWC input, HWIO kernel (only if importable) ----
def tfx(a): return tf.constant(nhwc(a))
def tfw(w): return tf.constant(np.asarray(w, np.float32)[:, :, None, None])
def nhwc(a): return np.asarray(a, np.float32)[None, :, :, None]
def tfo(y): return y.numpy()[0, :, :, 0].tolist()

def tf_grad(f, x, dy, dev):
    with tf.device(dev):
        xt = tf.constant(np.asarray(x, np.float32))
        with tf.GradientTape() as tape:
            tape.watch(xt)
            y = f(xt)
        return tape.gradient(y, xt, output_gradients=tf.constant(np.asarray(dy, np.float32))).numpy()

T, POOLS = "Keras / TensorFlow", ((3, 1, X), (2, 2, arange2(5, 5)))
entry(R_REV, T, "tf", "tf.nn.conv2d(x, w, 1, 'VALID') = reversal=false valid")(
    lambda: [(k, tfo(tf.nn.conv2d(tfx(X), tfw(w), 1, "VALID")), conv2d(X, w)) for k, w in KERNELS.items()])
entry(R_SAME, T, "tf", "tf.nn.conv2d(x, w, s, 'SAME'), strides 1 and 2 = same")(
    lambda: [((k, s), tfo(tf.nn.conv2d(tfx(X), tfw(w), s, "SAME")), conv2d(X, w, "same", strides=(s, s)))
             for k, w in KERNELS.items() for s in (1, 2)])
entry(R_EXPL, T, "tf", "tf.nn.conv2d(x, w, 1, [[0,0],[T,B],[L,R],[0,0]]) = explicit T,B,L,R")(
    lambda: [(k, tfo(tf.nn.conv2d(tfx(X), tfw(w), 1, [[0, 0], [0, 2], [1, 0], [0, 0]])), conv2d(X, w, (0, 2, 1, 0)))
             for k, w in KERNELS.items()])
entry(R_MAXP, T, "tf", "tf.nn.max_pool2d(-x, p, s, 'SAME') = max_pool2d same")(
    lambda: [((p, s), tfo(tf.nn.max_pool2d(tfx(neg(x)), p, s, "SAME")), max_pool(neg(x), (p, p), (s, s), "same"))
             for p, s, x in POOLS])
entry(R_AVGP, T, "tf", "tf.nn.avg_pool2d(x, p, s, 'SAME') = avg_pool2d same (pads excluded)")(
    lambda: [((p, s), tfo(tf.nn.avg_pool2d(tfx(x), p, s, "SAME")), avg_pool(x, (p, p), (s, s), "same")) for p, s, x in POOLS])
entry(R_RELU, T, "tf", "GradientTape of tf.nn.relu at 0 = 0")(
    lambda: [("x=[-1,0,2]", tf_grad(tf.nn.relu, [-1.0, 0, 2], [5.0, 6, 7], "/CPU:0").tolist(), [0, 0, 7])])
for dev, need in (("/CPU:0", "tf"), ("/GPU:0", "tf:gpu")):
    entry(R_TIE, f"{T} ({dev[1:4]})", need, "GradientTape of tf.nn.max_pool2d(x, 2, 2, 'VALID') = first maximum")(
        lambda dev=dev: [(n, tf_grad(lambda t: tf.nn.max_pool2d(t, 2, 2, "VALID"), nhwc(x), nhwc(dy), dev)[0, :, :, 0].tolist(),
                          max_pool_backward(x, dy, p, s)) for n, x, dy, p, s in TIES[:2]])

# ---- ONNX through onnxruntime: NCHW, float32, opset 13 (only if importable) ----
def onnx_run(op, x, w=None, n_out=1, **attrs):
    feeds = {"x": np.asarray(x, np.float32)[None, None]}
    if w is not None:
        feeds["w"] = np.asarray(w, np.float32)[None, None]
    ins = [helper.make_tensor_value_info(k, TensorProto.FLOAT, list(v.shape)) for k, v in feeds.items()]
    outs = [helper.make_tensor_value_info("y", TensorProto.FLOAT, None),
            helper.make_tensor_value_info("i", TensorProto.INT64, None)][:n_out]
    graph = helper.make_graph([helper.make_node(op, list(feeds), ["y", "i"][:n_out], **attrs)], "g", ins, outs)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return [r[0, 0].tolist() for r in sess.run(None, feeds)]

def flat_first_max(x):
    return [[float(r * len(x[0]) + q) for r, q in (first_max(x, w) for w in row)] for row in windows(x, (2, 2), (2, 2), "valid")]

entry(R_REV, "ONNX", "onnx", "Conv(x, w) = reversal=false valid")(
    lambda: [(k, onnx_run("Conv", X, w)[0], conv2d(X, w)) for k, w in KERNELS.items()])
entry(R_SAME, "ONNX", "onnx", "Conv auto_pad=SAME_UPPER|SAME_LOWER, strides 1 and 2 = same|same_lower")(
    lambda: [((k, a, s), onnx_run("Conv", X, w, auto_pad=a, strides=[s, s])[0], conv2d(X, w, m, strides=(s, s)))
             for k, w in KERNELS.items() for a, m in (("SAME_UPPER", "same"), ("SAME_LOWER", "same_lower")) for s in (1, 2)])
entry(R_EXPL, "ONNX", "onnx", "Conv pads=[T,L,B,R] = explicit T,B,L,R")(
    lambda: [(k, onnx_run("Conv", X, w, pads=[0, 1, 2, 0])[0], conv2d(X, w, (0, 2, 1, 0))) for k, w in KERNELS.items()])
entry(R_MAXP, "ONNX", "onnx", "MaxPool(-x, kernel 3, pads 1) = max_pool2d same")(
    lambda: [("3x3", onnx_run("MaxPool", neg(X), kernel_shape=[3, 3], pads=[1, 1, 1, 1])[0],
              max_pool(neg(X), (3, 3), (1, 1), "same"))])
entry(R_AVGP, "ONNX", "onnx", "AveragePool(x, kernel 3, pads 1), default count_include_pad=0 = avg_pool2d same")(
    lambda: [(n, onnx_run("AveragePool", x, kernel_shape=[3, 3], pads=[1, 1, 1, 1])[0], avg_pool(x, (3, 3), (1, 1), "same"))
             for n, x in (("ones", ones(4, 5)), ("x", X))])
entry(R_TIE, "ONNX", "onnx", "MaxPool(kernel 2, strides 2) Indices on tied windows = first maximum (row-major flat index)")(
    lambda: [(n, onnx_run("MaxPool", x, n_out=2, kernel_shape=[2, 2], strides=[2, 2])[1], flat_first_max(x))
             for n, x in (("spec example", TIE_X), ("2x2 all tied", ones(2, 2)))])

def main(argv):
    md = argv[argv.index("--markdown") + 1] if "--markdown" in argv[:-1] else None
    for e in ENTRIES:
        run_entry(*e)
    vers = ", ".join([f"numpy {np.__version__}" if np else "no numpy", f"scipy {scipy.__version__}" if scipy else "no scipy",
                      f"torch {torch.__version__}" if torch else "no torch",
                      torch.cuda.get_device_name(0) if CUDA else "no CUDA",
                      f"tensorflow {tf.__version__}" if tf else "no tensorflow",
                      f"onnxruntime {ort.__version__}" if ort else "no onnxruntime"])
    table, own = [r for r in RESULTS if r[0] != "self-check"], [r for r in RESULTS if r[0] == "self-check"]
    n = {s: sum(r[4] == s for r in table) for s in ("VERIFIED", "MISMATCH", "SKIPPED")}
    own_ok = sum(r[4] == "VERIFIED" for r in own)
    print(f"SUMMARY: {vers}; table entries: {n['VERIFIED']} verified, {n['MISMATCH']} mismatch, {n['SKIPPED']} skipped; "
          f"self-checks: {own_ok}/{len(own)} passed")
    if md:
        with open(md, "w", encoding="utf-8") as f:
            f.write(f"Results of spec/tools/check_conventions.py ({vers}).\n\n"
                    "| Convention | Library | Call checked | Version | Result |\n|---|---|---|---|---|\n")
            for row, col, call, ver, status, detail in RESULTS:
                res = status + (f" ({detail.splitlines()[0]})" if detail else "")
                f.write(f"| {row} | {col} | {call.replace('|', '/')} | {ver} | {res.replace('|', '/')} |\n")
    return 1 if n["MISMATCH"] or own_ok < len(own) else 0

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
