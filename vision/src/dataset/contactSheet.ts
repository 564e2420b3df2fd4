import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createCanvas } from '@napi-rs/canvas';
import { CARD_CLASSES, CARD_CROP, CardCropRenderer, type DatasetSplit } from './CardCrops.js';
import { toRgba } from '../image/ImageOps.js';
import { WHEEL_CLASSES, WHEEL_CROP, WheelCropRenderer } from './WheelCrops.js';

/**
 * Renders a grid of samples with their labels printed under each, to eyeball realism and labels:
 * node --import tsx vision/src/dataset/contactSheet.ts --kind cards --count 32 --out /tmp/vision-cards.png
 */
const { values } = parseArgs({
  options: {
    kind: { type: 'string', default: 'cards' },
    split: { type: 'string', default: 'train' },
    count: { type: 'string', default: '32' },
    seed: { type: 'string', default: '1' },
    columns: { type: 'string', default: '8' },
    scale: { type: 'string', default: '2' },
    out: { type: 'string', default: '/tmp/vision-contact.png' },
    restyle: { type: 'string' },
  },
});
const split = values.split as DatasetSplit;
const count = Number(values.count);
const columns = Number(values.columns);
const zoom = Number(values.scale);
const cards = values.kind === 'cards';
const crop = cards ? CARD_CROP : WHEEL_CROP;
const renderer = cards
  ? await CardCropRenderer.create({ split, ...(values.restyle ? { restyleIndexRate: Number(values.restyle) } : {}) })
  : await WheelCropRenderer.create({ split });
const cellW = crop.width * zoom + 8;
const cellH = crop.height * zoom + 22;
const sheet = createCanvas(cellW * columns, cellH * Math.ceil(count / columns));
const ctx = sheet.getContext('2d');
ctx.fillStyle = '#222';
ctx.fillRect(0, 0, sheet.width, sheet.height);
const tile = createCanvas(crop.width, crop.height);
for (let i = 0; i < count; i++) {
  const sample = await renderer.render(Number(values.seed), i);
  const data = tile.getContext('2d').createImageData(crop.width, crop.height);
  data.data.set(toRgba(sample.pixels, crop.width, crop.height));
  tile.getContext('2d').putImageData(data, 0, 0);
  const x = (i % columns) * cellW + 4;
  const y = Math.floor(i / columns) * cellH + 4;
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(tile, x, y, crop.width * zoom, crop.height * zoom);
  ctx.fillStyle = '#fff';
  ctx.font = '12px sans-serif';
  const name = (cards ? CARD_CLASSES : WHEEL_CLASSES)[sample.labelClass] ?? '?';
  const extra = 'deck' in sample ? ` ${sample.position} ${sample.deck.replace('svg-', '')}` : '';
  ctx.fillText(`${name}${extra}`, x, y + crop.height * zoom + 13);
}
writeFileSync(values.out, sheet.toBuffer('image/png'));
console.log(`wrote ${count} ${values.kind} samples to ${values.out}`);
