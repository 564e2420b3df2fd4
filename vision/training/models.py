"""Small CNNs for the two readers. Both take normalised RGB NCHW float input: (x / 255 - MEAN) / STD."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

MEAN = 0.5
STD = 0.25

# European wheel, clockwise from zero (protocol/src/games/roulette.ts WHEEL_ORDER).
WHEEL_ORDER = [0, 32, 15, 19, 4, 21, 2, 25, 17, 34, 6, 27, 13, 36, 11, 30, 8, 23, 10, 5, 24, 16, 33, 1, 20, 14, 31, 9, 22, 18, 29, 7, 28, 12, 35, 3, 26]
POCKETS = 37


def conv(cin: int, cout: int, k: int | tuple[int, int] = 3, padding: int | tuple[int, int] = 1) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, k, padding=padding, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


RANKS = 13
SUITS = 4


class CardNet(nn.Module):
    """
    96x144 card crop -> 53 logits (52 cards suit-major A..K, 52 = no card); any size divisible by 16 works.

    Factored (the default): the head scores the 13 ranks, the 4 suits and "no card" apart, and a
    card's logit is its rank's plus its suit's. The suit is then learnt from every card of that
    suit at once (the large pips of the number cards included), not once per card, which is what a
    held-out deck's face cards need: their figure is new, and the suit is told by a small index pip.
    """

    def __init__(self, classes: int = 53, width: int = 16, factored: bool = True):
        super().__init__()
        if factored and classes != RANKS * SUITS + 1:
            raise ValueError("a factored card head needs 52 cards and 'no card'")
        self.factored = factored
        w = width
        self.features = nn.Sequential(
            conv(3, w),
            nn.MaxPool2d(2),  # 72x48
            conv(w, 2 * w),
            nn.MaxPool2d(2),  # 36x24
            conv(2 * w, 4 * w),
            conv(4 * w, 4 * w),
            nn.MaxPool2d(2),  # 18x12
            conv(4 * w, 8 * w),
            nn.MaxPool2d(2),  # 9x6
            conv(8 * w, 8 * w),
        )
        self.head = nn.Sequential(nn.Dropout(0.2), nn.Linear(8 * w * 2, RANKS + SUITS + 1 if factored else classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        f = self.features(x)
        # Average and max pooling: the corner index is small, the pips are spread out.
        pooled = torch.cat([f.mean(dim=(2, 3)), f.amax(dim=(2, 3))], dim=1)
        out = self.head(pooled)
        if not self.factored:
            return out
        rank, suit, none = out[:, :RANKS], out[:, RANKS : RANKS + SUITS], out[:, RANKS + SUITS :]
        cards = (suit[:, :, None] + rank[:, None, :]).flatten(1)  # suit-major, as the classes
        return torch.cat([cards, none], dim=1)


class TurnAverage(nn.Module):
    """Averages a card model's logits over the crop and the crop turned 180 deg (a card lies either way up)."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (self.model(x) + self.model(x.flip(2, 3))) / 2


def circular_pad(x: torch.Tensor, p: int) -> torch.Tensor:
    """Pads the last (angle) axis circularly: the wheel has no seam."""
    return torch.cat([x[..., -p:], x, x[..., :p]], dim=-1)


class PolarConv(nn.Module):
    def __init__(self, cin: int, cout: int, kr: int = 3, ka: int = 3):
        super().__init__()
        self.pa = ka // 2
        self.conv = nn.Conv2d(cin, cout, (kr, ka), padding=(kr // 2, 0), bias=False)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(self.bn(self.conv(circular_pad(x, self.pa))))


class WheelNet(nn.Module):
    """
    128x128 wheel crop -> 38 log-probabilities (pockets 0..36, 37 = not settled).

    Unwraps the rotor to polar coordinates about the crop's centre (angle bins x radii), finds the
    ball and the green zero pocket along the angle, and turns the distribution of their angular
    offset into a pocket through the wheel order. The pocket is a relative angle, which is all
    that matters whatever the rotor's position; the network only has to localise two things.
    Outputs log-probabilities, so a softmax over them gives back the probabilities.
    """

    def __init__(self, angle_bins: int = 148, radii: int = 16, r_min: float = 30.0, r_max: float = 61.0, crop: int = 128, width: int = 16):
        super().__init__()
        if angle_bins % POCKETS != 0:
            raise ValueError("angle_bins must be a multiple of 37")
        self.angle_bins = angle_bins
        self.bins_per_pocket = angle_bins // POCKETS
        theta = torch.arange(angle_bins, dtype=torch.float32) * (2 * math.pi / angle_bins)
        r = torch.linspace(r_min, r_max, radii)
        half = crop / 2
        # grid_sample, align_corners=False: -1..1 spans the crop's outer pixel edges.
        gx = (r[:, None] * torch.cos(theta)[None, :]) / half
        gy = (r[:, None] * torch.sin(theta)[None, :]) / half
        self.register_buffer("grid", torch.stack([gx, gy], dim=-1)[None])  # 1, R, A, 2
        idx = (torch.arange(angle_bins)[None, :] - torch.arange(angle_bins)[:, None]) % angle_bins
        self.register_buffer("shift_index", idx)  # [d, theta] = theta - d
        # Offset d (bins, ball minus zero, clockwise) -> pocket; half-way bins split evenly.
        m = torch.zeros(angle_bins, POCKETS)
        for d in range(angle_bins):
            pos = d / self.bins_per_pocket
            lo = math.floor(pos)
            frac = pos - lo
            if abs(frac - 0.5) < 1e-6:
                m[d, WHEEL_ORDER[lo % POCKETS]] += 0.5
                m[d, WHEEL_ORDER[(lo + 1) % POCKETS]] += 0.5
            else:
                m[d, WHEEL_ORDER[round(pos) % POCKETS]] = 1.0
        self.register_buffer("offset_to_pocket", m)
        w = width
        self.trunk = nn.Sequential(
            PolarConv(3, w),
            PolarConv(w, 2 * w),
            nn.MaxPool2d((2, 1)),  # 8 radii
            PolarConv(2 * w, 3 * w),
            nn.MaxPool2d((2, 1)),  # 4 radii
            PolarConv(3 * w, 4 * w),
        )
        self.collapse = nn.Sequential(nn.Conv2d(4 * w, 4 * w, (radii // 4, 1), bias=False), nn.BatchNorm2d(4 * w), nn.ReLU(inplace=True))
        self.context = PolarConv(4 * w, 4 * w, kr=1, ka=5)
        self.ball = nn.Conv2d(4 * w, 1, 1)
        self.zero = nn.Conv2d(4 * w, 1, 1)
        self.settled = nn.Linear(8 * w, 1)

    def parts(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Ball and zero logits over the angle bins, and the settled logit."""
        polar = F.grid_sample(x, self.grid.expand(x.shape[0], -1, -1, -1), mode="bilinear", padding_mode="zeros", align_corners=False)
        f = self.context(self.collapse(self.trunk(polar)))  # B, C, 1, A
        ball = self.ball(f).flatten(1)
        zero = self.zero(f).flatten(1)
        settled = self.settled(torch.cat([f.amax(dim=(2, 3)), f.mean(dim=(2, 3))], dim=1)).flatten()
        return ball, zero, settled

    def combine(self, ball: torch.Tensor, zero: torch.Tensor, settled: torch.Tensor) -> torch.Tensor:
        pb = torch.softmax(ball, dim=1)
        pz = torch.softmax(zero, dim=1)
        shifted = pz[:, self.shift_index]  # B, d, theta
        p_offset = (shifted * pb[:, None, :]).sum(dim=2)  # B, d
        p_pocket = p_offset @ self.offset_to_pocket  # B, 37
        log_pocket = torch.log(p_pocket.clamp_min(1e-7)) + F.logsigmoid(settled)[:, None]
        return torch.cat([log_pocket, F.logsigmoid(-settled)[:, None]], dim=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.combine(*self.parts(x))
