#!/usr/bin/env bash
# Renders the training data with the TypeScript renderer and trains both readers end to end:
#
#   bash vision/training/train.sh            (or: npm run vision:train)
#
# Writes vision/models/{cards,wheel}.onnx and vision/models/models.json (sha256, classes, input,
# normalisation, training record). Datasets go to $VISION_DATA (default
# /tmp/live-casino-vision-data, outside the repository). The defaults reproduce the committed
# models (see vision/models/MODEL_CARD.md): same data, same batch order, same initial weights.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DATA="${VISION_DATA:-${TMPDIR:-/tmp}/live-casino-vision-data}"
OUT="${VISION_MODELS:-$ROOT/vision/models}"
SEED="${VISION_SEED:-1}"                     # weights, augmentation, batch order
CARDS="${VISION_CARDS:-40000}"               # card crops, in two sets (data seeds 11, 12)
WHEEL="${VISION_WHEEL:-16000}"               # wheel crops (data seed 21)
VAL="${VISION_VAL:-1000}"                    # validation crops per set (data seed 901)
CARD_EPOCHS="${VISION_CARD_EPOCHS:-12}"
WHEEL_EPOCHS="${VISION_WHEEL_EPOCHS:-2}"

# PyTorch comes from Debian (python3-torch); a pyenv python3 first on PATH would not see it.
PYTHON="${VISION_PYTHON:-}"
if [[ -z "$PYTHON" ]]; then
  for p in /usr/bin/python3 python3; do
    if "$p" -c 'import torch, numpy' 2>/dev/null; then PYTHON="$p"; break; fi
  done
fi
if [[ -z "$PYTHON" ]]; then
  echo "train.sh: PyTorch not found: apt-get install python3-torch python3-numpy" >&2
  exit 1
fi

cd "$ROOT"
mkdir -p "$DATA" "$OUT"
start=$(date +%s)
render() { # kind split count seed dir
  node --import tsx vision/src/dataset/writeDataset.ts --kind "$1" --split "$2" --count "$3" --seed "$4" \
    --out "$DATA/$5" 2>/dev/null
}

# Rendering is one process per core: one renders the wheel crops and then 40 % of the card crops,
# the other 60 % and the validation sets (about equal time). The wheel reader (small, converges in an epoch
# or two) then trains on one thread beside the card reader. The card reader trains in bfloat16
# autocast on channels-last tensors (2.5x the fp32 speed on this AVX-512 CPU), which buys its epochs.
(
  render wheel train "$WHEEL" 21 wheel-train-a
  render wheel seen-test "$VAL" 901 wheel-seen-test
  render cards train $((CARDS * 4 / 10)) 12 cards-train-b
) &
renderer=$!
render cards train $((CARDS - CARDS * 4 / 10)) 11 cards-train-a
render cards seen-test "$VAL" 901 cards-seen-test
render cards unseen-test "$VAL" 901 cards-unseen-test
wait "$renderer"
echo "data rendered after $(($(date +%s) - start)) s"
"$PYTHON" vision/training/train.py --kind wheel --seed "$SEED" --epochs "$WHEEL_EPOCHS" --lr 4e-3 --width 12 \
  --threads 1 --train "$DATA/wheel-train-a" --val "$DATA/wheel-seen-test" --out "$OUT/wheel.onnx" 2>&1 |
  grep --line-buffered -v -e Warning -e _C._jit &
wheel=$!
"$PYTHON" vision/training/train.py --kind cards --seed "$SEED" --epochs "$CARD_EPOCHS" --lr 4e-3 --width 16 \
  --threads 2 --turn-average --bf16 --checkpoint "$DATA/cards.pt" \
  --train "$DATA/cards-train-a" "$DATA/cards-train-b" \
  --val "$DATA/cards-seen-test" "$DATA/cards-unseen-test" --out "$OUT/cards.onnx" 2>&1 |
  grep --line-buffered -v -e Warning -e _C._jit
wait "$wheel"

"$PYTHON" vision/training/make_manifest.py "$OUT"
# The repository's formatter owns JSON layout (python's json.dumps differs from it).
npx biome format --write "$OUT/models.json" >/dev/null 2>&1 || true
echo "vision:train done in $(($(date +%s) - start)) s; now: npm run vision:eval"
