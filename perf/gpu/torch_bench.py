#!/usr/bin/env python3
"""PyTorch beside `conformance bench`: the same workloads, timed the same way, as JSON that
`conformance bench --include FILE` merges into its report (perf/README.md).

Workloads (names match conformance bench's): VGG16's convolution layers, forward and backward
(dx and dw together), batch 1; VGG16 forward on one 224x224 image; AlexNet (torchvision's layout,
no dropout) and VGG16 training steps (forward, cross-entropy, backward, SGD) at batch 64, 128, 256.
Backends: pytorch-cuda-fp32 (TF32 off), pytorch-cuda-tf32 (TF32 on) where CUDA exists, and
pytorch-cpu (all cores). Timing: one warm-up, then repeated runs (at least 3 and 0.5 s), median,
min and max; CUDA is synchronised before the clock is read. Inputs are random normal, not zeros.

Usage: python3 perf/gpu/torch_bench.py OUT.json [--quick] [--no-cpu-training]
       python3 perf/gpu/torch_bench.py OUT.json --conv-passes [--batch 64] [--quick]

--conv-passes (issue 11) instead times cuDNN on what `conformance bench --conv-passes` times: VGG16's
convolutions (the 9 distinct shapes; the 13 layers repeat 4 of them), 3x3, padding 1, stride 1, no
bias, at batch 64 (--quick: image sides /4), each pass alone: forward (F.conv2d), backward data and
backward weights (aten.convolution_backward with only dx, respectively only dw, requested), fp32
tensors in channels-last layout, cudnn.benchmark on, first with TF32 off (pytorch-cuda-fp32), then
on (pytorch-cuda-tf32). Same timing as above (the warm-up run is where cudnn.benchmark tunes).
This script has not been run on a GPU machine yet: no GPU was available to the sessions that wrote it.
"""
import json, statistics, sys, time

import torch
import torch.nn as nn
import torch.nn.functional as F

VGG_CONVS = [("block1_conv1", 224, 3, 64), ("block1_conv2", 224, 64, 64), ("block2_conv1", 112, 64, 128),
             ("block2_conv2", 112, 128, 128), ("block3_conv1", 56, 128, 256), ("block3_conv2", 56, 256, 256),
             ("block4_conv1", 28, 256, 512), ("block4_conv2", 28, 512, 512), ("block5_conv1", 14, 512, 512)]


def measure(run, sync, warmups=1, repeats=3, min_seconds=0.5):
    for _ in range(warmups):
        run(); sync()
    times, start = [], time.perf_counter()
    while len(times) < repeats or (time.perf_counter() - start < min_seconds and len(times) < 50):
        t0 = time.perf_counter(); run(); sync(); times.append(time.perf_counter() - t0)
    return {"median": statistics.median(times), "min": min(times), "max": max(times), "runs": len(times)}


def vgg16(side):
    layers, c = [], 3
    for block in [[64, 64], [128, 128], [256] * 3, [512] * 3, [512] * 3]:
        for units in block:
            layers += [nn.Conv2d(c, units, 3, padding=1), nn.ReLU()]; c = units
        layers.append(nn.MaxPool2d(2, 2)); side //= 2
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(c * side * side, 4096), nn.ReLU(),
                         nn.Linear(4096, 4096), nn.ReLU(), nn.Linear(4096, 1000))


def alexnet():
    return nn.Sequential(nn.Conv2d(3, 64, 11, 4, 2), nn.ReLU(), nn.MaxPool2d(3, 2), nn.Conv2d(64, 192, 5, padding=2), nn.ReLU(),
                         nn.MaxPool2d(3, 2), nn.Conv2d(192, 384, 3, padding=1), nn.ReLU(), nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(),
                         nn.Conv2d(256, 256, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3, 2), nn.Flatten(), nn.Linear(9216, 4096), nn.ReLU(),
                         nn.Linear(4096, 4096), nn.ReLU(), nn.Linear(4096, 1000))


def macs(model, x):
    """Multiply-adds of convolutions and dense layers in one forward pass."""
    total = 0
    def hook(m, inp, out):
        nonlocal total
        if isinstance(m, nn.Conv2d):
            total += out.numel() * m.in_channels * m.kernel_size[0] * m.kernel_size[1] // m.groups
        elif isinstance(m, nn.Linear):
            total += out.numel() * m.in_features
    hooks = [m.register_forward_hook(hook) for m in model.modules()]
    with torch.no_grad():
        model(x)
    for h in hooks: h.remove()
    return total


def run_backend(name, device, tf32, quick, results, training=True):
    torch.backends.cuda.matmul.allow_tf32 = tf32
    torch.backends.cudnn.allow_tf32 = tf32
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    for layer, size, cin, cout in VGG_CONVS:
        n = max(2, size // 4) if quick else size
        x = torch.randn(1, cin, n, n, device=device, requires_grad=True)
        w = torch.randn(cout, cin, 3, 3, device=device, requires_grad=True)
        b = torch.randn(cout, device=device, requires_grad=True)
        flops = 2.0 * n * n * cout * 9 * cin
        results.append(dict(workload=f"{layer} forward", group="layer", backend=name, flops=flops,
                            time=measure(lambda: F.conv2d(x, w, b, padding=1), sync), skipped=None))
        y = F.conv2d(x, w, b, padding=1)
        dy = torch.randn_like(y)
        results.append(dict(workload=f"{layer} backward", group="layer", backend=name, flops=2 * flops,
                            time=measure(lambda: torch.autograd.grad(y, (x, w, b), dy, retain_graph=True), sync), skipped=None))
    model = vgg16(224).to(device).eval()
    image = torch.randn(1, 3, 224, 224, device=device)
    with torch.no_grad():
        results.append(dict(workload="vgg16 forward, 1 image 224×224", group="network", backend=name,
                            flops=2.0 * macs(model, image), time=measure(lambda: model(image), sync), skipped=None))
    if not training:
        return
    nets = [(alexnet, 127, "alexnet", 2), (lambda: vgg16(32), 32, "vgg16", 2)] if quick else \
        [(make, 224, tag, b) for b in (64, 128, 256) for make, tag in ((alexnet, "alexnet"), (lambda: vgg16(224), "vgg16"))]
    for make, side, tag, batch in nets:
        net = make().to(device).train()
        opt = torch.optim.SGD(net.parameters(), lr=1e-3)
        x = torch.randn(batch, 3, side, side, device=device)
        labels = torch.randint(0, 1000, (batch,), device=device)
        def step():
            opt.zero_grad(set_to_none=True)
            F.cross_entropy(net(x), labels).backward()
            opt.step()
        results.append(dict(workload=f"{tag} {side}×{side} batch {batch} training step", group="training", backend=name,
                            flops=6.0 * macs(net, x), time=measure(step, sync, repeats=3, min_seconds=0), skipped=None))


def conv_passes(batch, quick, results):
    """cuDNN per pass on the VGG16 shapes, workload names as ConvPassBench's: '<layer> <pass>', group 'conv-pass'."""
    torch.backends.cudnn.benchmark = True
    sync = torch.cuda.synchronize
    for name, tf32 in (("pytorch-cuda-fp32", False), ("pytorch-cuda-tf32", True)):
        torch.backends.cuda.matmul.allow_tf32 = tf32
        torch.backends.cudnn.allow_tf32 = tf32
        for layer, size, cin, cout in VGG_CONVS:
            n = max(2, size // 4) if quick else size
            cl = torch.channels_last
            x = torch.randn(batch, cin, n, n, device="cuda").contiguous(memory_format=cl)
            w = torch.randn(cout, cin, 3, 3, device="cuda").contiguous(memory_format=cl)
            dy = torch.randn(batch, cout, n, n, device="cuda").contiguous(memory_format=cl)
            flops = 2.0 * batch * n * n * cout * 9 * cin

            def backward(mask):
                # (grad_output, input, weight, bias_sizes, stride, padding, dilation, transposed, output_padding, groups, output_mask)
                return torch.ops.aten.convolution_backward(dy, x, w, None, [1, 1], [1, 1], [1, 1], False, [0, 0], 1, mask)

            passes = [("forward", lambda: F.conv2d(x, w, None, 1, 1)),
                      ("backward-data", lambda: backward([True, False, False])),
                      ("backward-weights", lambda: backward([False, True, False]))]
            for pass_name, run in passes:
                results.append(dict(workload=f"{layer} {pass_name}", group="conv-pass", backend=name, flops=flops,
                                    time=measure(run, sync), skipped=None))
            del x, w, dy
            torch.cuda.empty_cache()


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    quick = "--quick" in sys.argv
    if "--conv-passes" in sys.argv:
        if not torch.cuda.is_available():
            sys.exit("--conv-passes needs CUDA: no GPU visible to PyTorch")
        batch = int(sys.argv[sys.argv.index("--batch") + 1]) if "--batch" in sys.argv else 64
        results = []
        conv_passes(batch, quick, results)
        with open(sys.argv[1], "w") as f:
            json.dump({"torch": torch.__version__, "cudnn": torch.backends.cudnn.version(), "gpu": torch.cuda.get_device_name(0),
                       "batch": batch, "results": results}, f, indent=1)
        return
    results = []
    if torch.cuda.is_available():
        run_backend("pytorch-cuda-fp32", "cuda", False, quick, results)
        run_backend("pytorch-cuda-tf32", "cuda", True, quick, results)
    torch.set_num_threads(torch.get_num_threads())
    run_backend("pytorch-cpu", "cpu", False, quick, results, training="--no-cpu-training" not in sys.argv)
    device = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none"
    with open(sys.argv[1], "w") as f:
        json.dump({"torch": torch.__version__, "cudnn": torch.backends.cudnn.version(), "gpu": device, "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
