/**
 * European (single-zero) roulette wheel: pocket order, colours and the geometry that maps an angle
 * on the rotor to a pocket. Pure, no I/O; shared by the simulator (drawing, ball physics), vision
 * (reading the pocket under the ball) and table-service (validating results).
 *
 * Angles are in radians, measured clockwise (screen/canvas convention, y down) in the rotor's own
 * frame, from the centre of the zero pocket.
 */

/** Pocket numbers clockwise around a European wheel, starting at zero. */
export const WHEEL_ORDER = [
  0, 32, 15, 19, 4, 21, 2, 25, 17, 34, 6, 27, 13, 36, 11, 30, 8, 23, 10, 5, 24, 16, 33, 1, 20, 14, 31, 9, 22, 18, 29, 7,
  28, 12, 35, 3, 26,
] as const;

export const POCKET_COUNT = 37;

/** Angular width of one pocket. */
export const POCKET_ARC = (2 * Math.PI) / POCKET_COUNT;

/** The red numbers of a European layout; every other non-zero number is black. */
export const RED_NUMBERS: ReadonlySet<number> = new Set([
  1, 3, 5, 7, 9, 12, 14, 16, 18, 19, 21, 23, 25, 27, 30, 32, 34, 36,
]);

export type PocketColour = 'green' | 'red' | 'black';

const TWO_PI = 2 * Math.PI;

/** Index of each pocket number in WHEEL_ORDER. */
const WHEEL_INDEX: readonly number[] = (() => {
  const index = new Array<number>(POCKET_COUNT);
  WHEEL_ORDER.forEach((pocket, i) => {
    index[pocket] = i;
  });
  return index;
})();

export function isPocket(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 36;
}

function assertPocket(pocket: number): void {
  if (!isPocket(pocket)) throw new RangeError(`not a roulette pocket: ${pocket}`);
}

export function pocketColour(pocket: number): PocketColour {
  assertPocket(pocket);
  if (pocket === 0) return 'green';
  return RED_NUMBERS.has(pocket) ? 'red' : 'black';
}

/** Position of a pocket clockwise from zero on the wheel (0..36). */
export function wheelIndexOf(pocket: number): number {
  assertPocket(pocket);
  return WHEEL_INDEX[pocket] as number;
}

/** Normalises an angle into [0, 2π). */
export function normaliseAngle(angle: number): number {
  const a = angle % TWO_PI;
  return a < 0 ? a + TWO_PI : a;
}

/** Angle of the centre of a pocket in the rotor frame, in [0, 2π). */
export function angleOfPocket(pocket: number): number {
  return wheelIndexOf(pocket) * POCKET_ARC;
}

/**
 * The pocket covering an angle in the rotor frame. Each pocket spans ±POCKET_ARC/2 around its
 * centre; an angle exactly on a boundary belongs to the pocket clockwise of it.
 */
export function pocketAtAngle(angle: number): number {
  const index = Math.floor(normaliseAngle(angle + POCKET_ARC / 2) / POCKET_ARC) % POCKET_COUNT;
  return WHEEL_ORDER[index] as number;
}

/** Dozen of a number (1: 1-12, 2: 13-24, 3: 25-36); null for zero. */
export function dozenOf(pocket: number): 1 | 2 | 3 | null {
  assertPocket(pocket);
  return pocket === 0 ? null : (Math.ceil(pocket / 12) as 1 | 2 | 3);
}

/** Column of a number on the layout (1: 1,4,…,34; 2: 2,5,…,35; 3: 3,6,…,36); null for zero. */
export function columnOf(pocket: number): 1 | 2 | 3 | null {
  assertPocket(pocket);
  return pocket === 0 ? null : ((((pocket - 1) % 3) + 1) as 1 | 2 | 3);
}
