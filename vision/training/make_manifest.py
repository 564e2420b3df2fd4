"""
Writes vision/models/models.json from the trained models and the sidecars train.py leaves beside
them (MODEL.onnx.json, removed once merged): file, sha256, size, classes, input, output and
normalisation for the TypeScript readers (vision/src/models), plus the training record.

  python3 vision/training/make_manifest.py vision/models
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path


def main() -> None:
    models = Path(sys.argv[1] if len(sys.argv) > 1 else "vision/models")
    manifest_path = models / "models.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {"version": 1, "models": {}}
    for kind in ("cards", "wheel"):
        onnx = models / f"{kind}.onnx"
        sidecar = models / f"{kind}.onnx.json"
        if not onnx.exists():
            continue
        entry = manifest["models"].get(kind, {})
        if sidecar.exists():
            meta = json.loads(sidecar.read_text())
            entry = {k: meta[k] for k in ("classes", "input", "output", "normalisation", "training", "validation")}
            sidecar.unlink()
        data = onnx.read_bytes()
        entry = {"file": onnx.name, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data), **entry}
        manifest["models"][kind] = entry
        print(f"{kind}: {onnx} {len(data)} bytes sha256 {entry['sha256']}")
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")


if __name__ == "__main__":
    main()
