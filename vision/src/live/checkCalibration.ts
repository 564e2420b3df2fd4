/**
 * `npm run calibration:check -w vision -- --frame STILL.png --game baccarat [--calibration FILE] [--out DIR]`
 *
 * For an operator calibrating a camera table: cuts the regions of a still of the table's camera
 * (PNG or JPEG, any size) as the live worker will, reads them with the committed models, and
 * writes what the reader sees (one PNG per region, and the still with the regions drawn on it)
 * so that each crop can be compared with what the model wants (vision/src/live/Calibration.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { fromRgba } from '../image/ImageOps.js';
import { CardReader } from '../models/CardReader.js';
import { WheelReader } from '../models/WheelReader.js';
import { CalibrationError, type GameKind, loadCalibrationFile, simulatedCalibrationPath } from './Calibration.js';
import { cropRegions, regionsOf } from './Regions.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      frame: { type: 'string' },
      game: { type: 'string' },
      calibration: { type: 'string' },
      out: { type: 'string', default: 'calibration-check' },
    },
  });
  const game = values.game;
  if (!values.frame || (game !== 'roulette' && game !== 'baccarat')) {
    throw new UsageError('--frame STILL and --game roulette|baccarat are required');
  }
  const file = values.calibration ? path.resolve(values.calibration) : simulatedCalibrationPath(game as GameKind);
  const calibration = loadCalibrationFile(file, game);
  const image = await loadImage(path.resolve(values.frame));
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0);
  const { width, height } = canvas;
  const frame = { width, height, rgb: fromRgba(ctx.getImageData(0, 0, width, height).data, width, height) };
  const regions = regionsOf(calibration);
  const crops = cropRegions(frame, regions);
  const reader = game === 'roulette' ? await WheelReader.load() : await CardReader.load();
  const reads = await reader.read(crops.map((c) => c.pixels));

  const out = path.resolve(values.out);
  mkdirSync(out, { recursive: true });
  crops.forEach((crop, i) => {
    const { width: w, height: h } = crop.region;
    const c = createCanvas(w, h);
    const cctx = c.getContext('2d');
    const data = cctx.createImageData(w, h);
    for (let p = 0; p < w * h; p++) {
      data.data.set(crop.pixels.subarray(p * 3, p * 3 + 3), p * 4);
      data.data[p * 4 + 3] = 255;
    }
    cctx.putImageData(data, 0, 0);
    writeFileSync(path.join(out, `${crop.region.name}.png`), c.toBuffer('image/png'));
    const r = reads[i];
    console.log(`${crop.region.name.padEnd(5)} ${String(r?.label).padEnd(12)} confidence ${r?.confidence.toFixed(3)}`);
  });
  // The still with each region's quad and name, the crop's top edge thicker (the reader's "up").
  ctx.lineWidth = Math.max(2, width / 400);
  ctx.font = `${Math.round(height / 30)}px sans-serif`;
  for (const [name, quad] of Object.entries(calibration.regions)) {
    const px = quad.corners.map(([x, y]) => [x * width, y * height] as const);
    ctx.strokeStyle = '#ffd400';
    ctx.beginPath();
    for (const [k, [x, y]] of px.entries()) {
      if (k === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    }
    ctx.closePath();
    ctx.stroke();
    ctx.strokeStyle = '#ff3b30';
    ctx.beginPath();
    const [[x0, y0], [x1, y1]] = px as [readonly [number, number], readonly [number, number]];
    ctx.moveTo(x0, y0);
    ctx.lineTo(x1, y1);
    ctx.stroke();
    ctx.fillStyle = '#ffd400';
    ctx.fillText(name, x0, y0 - 4);
  }
  writeFileSync(path.join(out, 'regions.png'), canvas.toBuffer('image/png'));
  console.log(`calibration ${file}: ${regions.length} regions; crops and regions.png in ${out}`);
}

class UsageError extends Error {
  override readonly name = 'UsageError';
}

main().catch((err: unknown) => {
  if (err instanceof UsageError || err instanceof CalibrationError) {
    console.error(`${err.name}: ${err.message}`);
    process.exit(2);
  }
  console.error(err);
  process.exit(1);
});
