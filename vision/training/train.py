"""
Trains one reader (cards or wheel) on datasets written by writeDataset.ts and exports it to ONNX.

  python3 vision/training/train.py --kind cards --train DIR [DIR...] --val DIR [DIR...] \
      --epochs 6 --seed 1 --out vision/models/cards.onnx

Reproducible from --seed: weights, augmentation and batch order all come from seeded generators
(on the same torch build and thread count). Writes OUT (ONNX, opset 16, dynamic batch axis) and
OUT.json (classes, input shape, normalisation, training metrics) beside it.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

sys.dont_write_bytecode = True  # no __pycache__ in the repository
sys.path.insert(0, str(Path(__file__).resolve().parent))
from data import Dataset, load  # noqa: E402
from models import MEAN, STD, CardNet, TurnAverage, WheelNet  # noqa: E402

NOT_SETTLED = 37
NO_CARD = 52


def normalise(x_uint8_nhwc: torch.Tensor) -> torch.Tensor:
    """uint8 NHWC -> float NCHW in 0..1 (augmentation works there; MEAN/STD applied last)."""
    return x_uint8_nhwc.permute(0, 3, 1, 2).float().div_(255.0)


def colour_jitter(x: torch.Tensor, g: torch.Generator, strength: float) -> torch.Tensor:
    b = x.shape[0]

    def u(lo: float, hi: float, *shape: int) -> torch.Tensor:
        return torch.rand(b, *shape, generator=g) * (hi - lo) + lo

    s = strength
    gray = x.mean(dim=1, keepdim=True)
    x = gray + (x - gray) * u(1 - 0.4 * s, 1 + 0.4 * s, 1, 1, 1)  # saturation
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    x = mean + (x - mean) * u(1 - 0.3 * s, 1 + 0.3 * s, 1, 1, 1)  # contrast
    x = x * u(1 - 0.3 * s, 1 + 0.25 * s, 1, 1, 1)  # brightness
    x = x * u(1 - 0.15 * s, 1 + 0.1 * s, 3, 1, 1)  # white balance, paper tint
    x = x.clamp(0, 1) ** u(1 - 0.2 * s, 1 + 0.2 * s, 1, 1, 1)  # gamma
    x = x + torch.randn(x.shape, generator=g) * u(0, 0.03 * s, 1, 1, 1)  # sensor noise
    return x.clamp_(0, 1)


def augment_cards(
    x: torch.Tensor,
    y: torch.Tensor,
    g: torch.Generator,
    affine: bool = False,
    blank_face: float = 0.25,
) -> torch.Tensor:
    """Either way up, colour, cutout (and a small affine): for decks the model has never seen."""
    b, _, h, w = x.shape
    k = h / 96  # the sizes below are for a 64x96 crop
    flip = torch.rand(b, generator=g) < 0.5
    x = torch.where(flip[:, None, None, None], x.flip(2, 3), x)
    if affine:
        x = small_affine(x, g)
    x = colour_jitter(x, g, 1.0)
    # Cutout: a random patch of random colour over 40% of the samples (fingers, glare, chips).
    ch = torch.randint(round(8 * k), round(28 * k), (b,), generator=g)
    cw = torch.randint(round(8 * k), round(24 * k), (b,), generator=g)
    cy = torch.randint(0, h, (b,), generator=g)
    cx = torch.randint(0, w, (b,), generator=g)
    on = torch.rand(b, generator=g) < 0.4
    ys = torch.arange(h)[None, :, None]
    xs = torch.arange(w)[None, None, :]
    mask = (
        on[:, None, None]
        & ((ys - cy[:, None, None]).abs() * 2 < ch[:, None, None])
        & ((xs - cx[:, None, None]).abs() * 2 < cw[:, None, None])
    )
    colour = torch.rand(b, 3, 1, 1, generator=g)
    x = torch.where(mask[:, None], colour, x)
    # Blank face: the middle of the card painted paper-coloured on 25% of the samples, so that the
    # corner index is learnt as well as the figure (held-out decks have figures never seen).
    fh = torch.randint(round(30 * k), round(48 * k), (b,), generator=g)
    fw = torch.randint(round(20 * k), round(32 * k), (b,), generator=g)
    fy = h // 2 + torch.randint(round(-4 * k), round(5 * k), (b,), generator=g)
    fx = w // 2 + torch.randint(round(-3 * k), round(4 * k), (b,), generator=g)
    on = (torch.rand(b, generator=g) < blank_face) & (y != NO_CARD)
    mask = (
        on[:, None, None]
        & ((ys - fy[:, None, None]).abs() * 2 < fh[:, None, None])
        & ((xs - fx[:, None, None]).abs() * 2 < fw[:, None, None])
    )
    paper = 0.75 + 0.25 * torch.rand(b, 3, 1, 1, generator=g)
    return torch.where(mask[:, None], paper, x)


def small_affine(x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    """On top of the renderer's camera jitter: ±5°, ±8 %, ±3 px (costly on a CPU: optional)."""
    b, _, h, w = x.shape
    angle = (torch.rand(b, generator=g) - 0.5) * 2 * math.radians(5)
    scale = 1 + (torch.rand(b, generator=g) - 0.5) * 0.16
    tx = (torch.rand(b, generator=g) - 0.5) * 2 * (3 / (w / 2))
    ty = (torch.rand(b, generator=g) - 0.5) * 2 * (3 / (h / 2))
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    # Rotation in pixel space on a non-square crop: scale the off-diagonal terms by the aspect.
    theta = torch.stack(
        [torch.stack([cos, -sin * h / w, tx], 1), torch.stack([sin * w / h, cos, ty], 1)], 1
    )
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)


def angle_bins(geometry: torch.Tensor, col: int, bins: int, crop: int = 128) -> torch.Tensor:
    """Angle (clockwise from +x, as the polar grid) of a point about the crop centre, in bins."""
    x = geometry[:, col] - crop / 2
    y = geometry[:, col + 1] - crop / 2
    theta = torch.atan2(y, x) % (2 * math.pi)
    return theta / (2 * math.pi) * bins


def soft_target(pos: torch.Tensor, bins: int, sigma: float = 0.8) -> torch.Tensor:
    d = torch.arange(bins)[None, :] - pos[:, None]
    d = torch.remainder(d + bins / 2, bins) - bins / 2
    t = torch.exp(-0.5 * (d / sigma) ** 2)
    return t / t.sum(dim=1, keepdim=True)


def batches(n: int, size: int, rng: np.random.Generator, shuffle: bool):
    order = rng.permutation(n) if shuffle else np.arange(n)
    for i in range(0, n, size):
        yield torch.from_numpy(np.sort(order[i : i + size]) if not shuffle else order[i : i + size])


def evaluate(kind: str, model: torch.nn.Module, data: Dataset, batch: int = 512) -> dict:
    model.eval()
    correct = 0
    confusions: dict[tuple[int, int], int] = {}
    images = torch.from_numpy(data.images)
    labels = torch.from_numpy(data.labels)
    with torch.no_grad():
        for idx in batches(len(data), batch, np.random.default_rng(0), shuffle=False):
            x = (normalise(images[idx]) - MEAN) / STD
            pred = model(x).argmax(dim=1)
            y = labels[idx]
            correct += int((pred == y).sum())
            for t, p in zip(y[pred != y].tolist(), pred[pred != y].tolist()):
                confusions[(t, p)] = confusions.get((t, p), 0) + 1
    top = sorted(confusions.items(), key=lambda kv: -kv[1])[:8]
    return {
        "top1": correct / len(data),
        "count": len(data),
        "confusions": [[data.classes[t], data.classes[p], n] for (t, p), n in top],
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kind", choices=["cards", "wheel"], required=True)
    ap.add_argument("--train", nargs="+", required=True)
    ap.add_argument("--val", nargs="*", default=[])
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--affine", action="store_true", help="extra affine augmentation of the cards")
    ap.add_argument("--width", type=int, default=16, help="channels of the first layer")
    ap.add_argument("--turn-average", action="store_true", help="cards: export the mean over the crop and its 180 deg turn")
    ap.add_argument("--blank-face", type=float, default=0.25, help="cards: share of faces blanked")
    ap.add_argument("--plain-head", action="store_true", help="cards: one logit per card instead of rank + suit")
    ap.add_argument("--bf16", action="store_true", help="cards: train in bfloat16 autocast, channels-last (about 2.5x faster on an AVX-512 CPU)")
    ap.add_argument("--limit", type=int, default=0, help="use only the first N training samples (quick comparisons)")
    ap.add_argument("--checkpoint", help="also save the trained weights (state_dict) here")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    if args.kind != "cards" and (args.bf16 or args.plain_head or args.turn_average):
        ap.error("--bf16, --plain-head and --turn-average are for the card reader (--kind cards)")

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(args.seed)
    g = torch.Generator().manual_seed(args.seed)
    started = time.time()
    train = load(args.train)
    vals = {Path(v).name: load([v]) for v in args.val}
    if args.limit:
        train = Dataset(train.images[: args.limit], train.labels[: args.limit], None if train.geometry is None else train.geometry[: args.limit], train.classes)
    print(f"{args.kind}: {len(train)} training samples, {sum(len(v) for v in vals.values())} validation", flush=True)

    if args.kind == "cards":
        model = CardNet(classes=len(train.classes), width=args.width, factored=not args.plain_head)
    else:
        model = WheelNet(width=args.width)
    if args.bf16:
        model = model.to(memory_format=torch.channels_last)
    steps = args.epochs * math.ceil(len(train) / args.batch)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=steps, pct_start=0.15)
    images = torch.from_numpy(train.images)
    labels = torch.from_numpy(train.labels)
    geometry = None if train.geometry is None else torch.from_numpy(train.geometry)
    step = 0
    for epoch in range(args.epochs):
        model.train()
        total = 0.0
        seen = 0
        t0 = time.time()
        for idx in batches(len(train), args.batch, rng, shuffle=True):
            x = normalise(images[idx])
            y = labels[idx]
            if args.kind == "cards":
                x = (augment_cards(x, y, g, args.affine, args.blank_face) - MEAN) / STD
                if args.bf16:
                    x = x.contiguous(memory_format=torch.channels_last)
                with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.bf16):
                    scores = model(x)
                loss = F.cross_entropy(scores.float(), y, label_smoothing=0.02)
            else:
                assert geometry is not None
                x = (colour_jitter(x, g, 0.7) - MEAN) / STD
                geo = geometry[idx]
                ball, zero, settled_logit = model.parts(x)
                bins = model.angle_bins
                settled = y != NOT_SETTLED
                loss = F.nll_loss(model.combine(ball, zero, settled_logit), y)
                loss = loss + F.binary_cross_entropy_with_logits(settled_logit, settled.float())
                zt = soft_target(angle_bins(geo, 0, bins), bins)
                loss = loss + 0.5 * -(zt * F.log_softmax(zero, dim=1)).sum(dim=1).mean()
                if settled.any():
                    bt = soft_target(angle_bins(geo[settled], 2, bins), bins)
                    loss = loss + 0.5 * -(bt * F.log_softmax(ball[settled], dim=1)).sum(dim=1).mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            total += float(loss) * len(idx)
            seen += len(idx)
        line = f"epoch {epoch + 1}/{args.epochs} loss {total / seen:.4f} ({seen / (time.time() - t0):.0f} samples/s)"
        for name, v in vals.items():
            line += f" {name} {evaluate(args.kind, model, v)['top1']:.4f}"
        print(line, flush=True)

    if args.checkpoint:
        torch.save(model.state_dict(), args.checkpoint)
    model.eval()
    if args.kind == "cards" and args.turn_average:
        model = TurnAverage(model)
    metrics = {name: evaluate(args.kind, model, v) for name, v in vals.items()}
    for name, m in metrics.items():
        print(f"{name}: top1 {m['top1']:.4f} on {m['count']}; confusions {m['confusions']}", flush=True)
    model.eval()
    model = model.to(memory_format=torch.contiguous_format)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    h, w, c = train.images.shape[1:]
    dummy = torch.zeros(1, c, h, w)
    torch.onnx.export(
        model,
        dummy,
        str(out),
        input_names=["input"],
        output_names=["scores"],
        dynamic_axes={"input": {0: "batch"}, "scores": {0: "batch"}},
        opset_version=16,
        do_constant_folding=True,
    )
    meta = {
        "kind": args.kind,
        "classes": train.classes,
        "input": {"name": "input", "shape": [c, h, w], "layout": "NCHW", "from": "RGB uint8 HWC crop"},
        "output": {"name": "scores", "kind": "logits" if args.kind == "cards" else "log_probs"},
        "normalisation": {"scale": 1 / 255, "mean": [MEAN] * 3, "std": [STD] * 3},
        "training": {
            "seed": args.seed,
            "width": args.width,
            "affine": args.affine,
            "turn_average": args.turn_average,
            "blank_face": args.blank_face,
            "head": None if args.kind == "wheel" else "plain" if args.plain_head else "rank+suit",
            "precision": "bf16 autocast" if args.bf16 else "fp32",
            "epochs": args.epochs,
            "samples": len(train),
            "datasets": [str(Path(d).name) for d in args.train],
            "seconds": round(time.time() - started, 1),
            "torch": torch.__version__,
        },
        "validation": metrics,
    }
    Path(str(out) + ".json").write_text(json.dumps(meta, indent=2) + "\n")
    print(f"wrote {out} ({out.stat().st_size} bytes) in {time.time() - started:.0f} s", flush=True)


if __name__ == "__main__":
    main()
