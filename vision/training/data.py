"""Loads the shards that vision/src/dataset/writeDataset.ts writes (uint8 NHWC + int16 labels)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np


class Dataset:
    """Images (N, H, W, 3) uint8, labels (N,) int64, optional geometry (N, 4) float32."""

    def __init__(self, images: np.ndarray, labels: np.ndarray, geometry: np.ndarray | None, classes: list[str]):
        self.images = images
        self.labels = labels
        self.geometry = geometry
        self.classes = classes

    def __len__(self) -> int:
        return len(self.labels)


def load_dir(directory: str | Path) -> tuple[dict, np.ndarray, np.ndarray, np.ndarray | None]:
    directory = Path(directory)
    manifest = json.loads((directory / "manifest.json").read_text())
    h, w, c = manifest["shape"]
    images = np.empty((manifest["count"], h, w, c), dtype=np.uint8)
    for shard in manifest["shards"]:
        data = np.fromfile(directory / shard["file"], dtype=np.uint8).reshape(-1, h, w, c)
        if len(data) != shard["count"]:
            raise ValueError(f"{directory / shard['file']}: {len(data)} samples, manifest says {shard['count']}")
        images[shard["first"] : shard["first"] + shard["count"]] = data
    labels = np.fromfile(directory / manifest["labels"]["file"], dtype=np.int16).astype(np.int64)
    if len(labels) != manifest["count"]:
        raise ValueError(f"{directory}: {len(labels)} labels for {manifest['count']} samples")
    geometry = None
    if "geometry" in manifest:
        geometry = np.fromfile(directory / manifest["geometry"]["file"], dtype=np.float32).reshape(-1, 4)
    return manifest, images, labels, geometry


def load(directories: list[str]) -> Dataset:
    """Concatenates several dataset directories of the same kind (e.g. one per generator process)."""
    parts = [load_dir(d) for d in directories]
    classes = parts[0][0]["classes"]
    for manifest, *_ in parts:
        if manifest["classes"] != classes or manifest["shape"] != parts[0][0]["shape"]:
            raise ValueError("datasets of different kinds cannot be mixed")
    images = np.concatenate([p[1] for p in parts])
    labels = np.concatenate([p[2] for p in parts])
    geometry = None if parts[0][3] is None else np.concatenate([p[3] for p in parts])
    return Dataset(images, labels, geometry, classes)
