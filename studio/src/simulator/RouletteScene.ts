import {
  POCKET_ARC,
  POCKET_COUNT,
  WHEEL_ORDER,
  angleOfPocket,
  pocketColour,
} from '@live-casino/protocol/games/roulette';
import { type Canvas2D, type CanvasImageLike, FONT_FAMILY, type LayerFactory, roundedRectPath } from './Canvas2D.js';
import { SeededRandom, hashSeed } from './SeededRandom.js';
import {
  type RouletteSceneEvent,
  type RouletteSceneState,
  type SceneOptions,
  type TableScene,
  assertUnreachable,
} from './SceneTypes.js';
import { REF_HEIGHT, REF_WIDTH, drawPhaseBanner } from './StudioOverlay.js';

/**
 * Round timeline (ms from the start of a round). Bets stay open while the ball makes its first
 * orbits, as at a real wheel; "no more bets" comes a few seconds before the ball drops.
 */
export const ROULETTE_TIMELINE = {
  ballLaunched: 7_000,
  bettingClosed: 12_000,
  ballDrops: 15_500,
  ballSettled: 18_000,
  /** The dealer takes the ball out of the pocket this long into the next round. */
  ballRemoved: 2_500,
  cycle: 27_000,
} as const;

const TWO_PI = 2 * Math.PI;
/** Rotor speed, clockwise; dealers keep the rotor turning at about one turn every 4-5 s. */
const ROTOR_RAD_PER_MS = (TWO_PI * 0.22) / 1000;
const HISTORY_LENGTH = 12;

// Geometry in the 640x360 reference frame.
const CX = 178;
const CY = 206;
const R_RIM_OUT = 146;
const R_RIM_IN = 134;
const R_TRACK_IN = 119;
const R_NUMBERS_OUT = 97;
const R_NUMBERS_IN = 79;
const R_POCKETS_IN = 62;
const R_TURRET = 22;
const R_BALL = 5;

/** The wheel in the 640x360 reference frame, for whoever reads it from the video (vision crops). */
export const ROULETTE_LAYOUT = { cx: CX, cy: CY, rimRadius: R_RIM_OUT } as const;
const R_BALL_TRACK = R_RIM_IN - R_BALL - 2;
const R_BALL_POCKET = (R_NUMBERS_IN + R_POCKETS_IN) / 2;
const PANEL_X = 340;
const GRID = { x: PANEL_X + 2, y: 190, zeroW: 24, cellW: 20, cellH: 24 } as const;

const COLOURS = {
  red: '#c0141f',
  black: '#161616',
  green: '#0b8a3e',
  redPocket: '#8e0e17',
  blackPocket: '#0b0b0b',
  greenPocket: '#06602a',
  gold: '#d8b25a',
  feltLight: '#127244',
  feltDark: '#063a22',
} as const;

interface RouletteLayers {
  width: number;
  height: number;
  felt: CanvasImageLike;
  rotor: CanvasImageLike;
}

interface Spin {
  pocket: number;
  /** Ball angle relative to the rotor at launch. */
  launchAngle: number;
  /** Initial relative angular speed (rad/ms, negative: the ball runs against the rotor). */
  v0: number;
  bounce: number;
  wobble: number;
}

/**
 * European roulette seen from an overhead camera: the wheel with the rotor turning, the ball
 * orbiting, dropping and settling in the round's pocket, and the betting layout with the winning
 * number marked. Every round's pocket and ball path follow from the seed, and the ball's path is
 * solved so that it lands exactly in that pocket.
 */
export class RouletteScene implements TableScene {
  readonly game = 'roulette' as const;
  readonly tableName: string;
  readonly #seed: number;
  readonly #epochMs: number;
  readonly #createLayer: LayerFactory | undefined;
  #layers: RouletteLayers | null = null;
  #timeMs: number;
  #lastAdvanceMs: number | null = null;
  readonly #spins = new Map<number, Spin>();

  constructor(opts: SceneOptions & { createLayer?: LayerFactory }) {
    this.tableName = opts.tableName;
    this.#seed = opts.seed >>> 0;
    this.#epochMs = opts.epochMs;
    this.#createLayer = opts.createLayer;
    this.#timeMs = opts.epochMs;
  }

  /** The winning pocket of a round, known in advance (the simulator is the wheel). */
  pocketOf(round: number): number {
    return this.#spin(round).pocket;
  }

  advance(studioTimeMs: number): RouletteSceneEvent[] {
    const events: RouletteSceneEvent[] = [];
    const from = this.#lastAdvanceMs;
    this.#timeMs = studioTimeMs;
    this.#lastAdvanceMs = from === null ? studioTimeMs : Math.max(from, studioTimeMs);
    if (from === null) {
      // First frame: announce the round in progress so listeners know where the table is.
      const round = this.#roundAt(studioTimeMs);
      if (round >= 0 && studioTimeMs - this.#roundStart(round) < ROULETTE_TIMELINE.bettingClosed) {
        events.push(this.#bettingOpened(round, studioTimeMs));
      }
      return events;
    }
    if (studioTimeMs <= from) return events;

    const T = ROULETTE_TIMELINE;
    // After a long stall only the current round's events make sense; older ones are history.
    const firstRound = Math.max(this.#roundAt(from), this.#roundAt(studioTimeMs) - 1, 0);
    for (let round = firstRound; round <= this.#roundAt(studioTimeMs); round++) {
      const start = this.#roundStart(round);
      const due = (offset: number): boolean => start + offset > from && start + offset <= studioTimeMs;
      if (due(0)) events.push(this.#bettingOpened(round, studioTimeMs));
      if (due(T.ballLaunched)) events.push({ type: 'ballLaunched', round, studioTimeMs });
      if (due(T.bettingClosed)) events.push({ type: 'bettingClosed', round, studioTimeMs });
      if (due(T.ballSettled)) {
        events.push({ type: 'ballSettled', round, pocket: this.pocketOf(round), studioTimeMs });
      }
    }
    return events;
  }

  state(): RouletteSceneState {
    const t = this.#timeMs;
    const round = Math.max(0, this.#roundAt(t));
    const start = this.#roundStart(round);
    const into = t - start;
    const settled = into >= ROULETTE_TIMELINE.ballSettled;
    const history: number[] = [];
    for (let r = settled ? round : round - 1; r >= 0 && history.length < HISTORY_LENGTH; r--) {
      history.push(this.pocketOf(r));
    }
    return {
      game: 'roulette',
      tableName: this.tableName,
      round,
      phase: into < ROULETTE_TIMELINE.bettingClosed ? 'betting' : settled ? 'result' : 'spinning',
      bettingClosesAtMs: start + ROULETTE_TIMELINE.bettingClosed,
      roundStartedAtMs: start,
      roundEndsAtMs: start + ROULETTE_TIMELINE.cycle,
      pocket: settled ? this.pocketOf(round) : null,
      history,
    };
  }

  draw(ctx: Canvas2D, width: number, height: number): void {
    const state = this.state();
    const sx = width / REF_WIDTH;
    const sy = height / REF_HEIGHT;
    const rotor = this.rotorAngle(this.#timeMs);

    const layers = this.#ensureLayers(width, height);
    ctx.save();
    if (layers) {
      ctx.drawImage(layers.felt, 0, 0);
      ctx.save();
      ctx.translate(CX * sx, CY * sy);
      ctx.rotate(rotor);
      ctx.drawImage(layers.rotor, -layers.rotor.width / 2, -layers.rotor.height / 2);
      ctx.restore();
      ctx.scale(sx, sy);
    } else {
      ctx.scale(sx, sy);
      paintFelt(ctx);
      ctx.save();
      ctx.translate(CX, CY);
      ctx.rotate(rotor);
      paintRotor(ctx);
      ctx.restore();
    }
    this.#drawBall(ctx, rotor);
    this.#drawPanel(ctx, state);
    ctx.restore();
  }

  /** Rotor angle (clockwise, radians) at a studio time: the zero pocket's direction from 12 o'clock. */
  rotorAngle(studioTimeMs: number): number {
    return ((studioTimeMs - this.#epochMs) * ROTOR_RAD_PER_MS) % TWO_PI;
  }

  /**
   * Where the ball is at a studio time: angle relative to the rotor (clockwise from the zero
   * pocket) and distance from the wheel's centre, or null while the dealer holds it.
   */
  ballPosition(studioTimeMs: number): { angle: number; radius: number } | null {
    const T = ROULETTE_TIMELINE;
    const round = this.#roundAt(studioTimeMs);
    if (round < 0) return null;
    const into = studioTimeMs - this.#roundStart(round);
    if (into < T.ballLaunched) {
      if (round === 0 || into >= T.ballRemoved) return null;
      return { angle: angleOfPocket(this.pocketOf(round - 1)), radius: R_BALL_POCKET };
    }
    const spin = this.#spin(round);
    if (into >= T.ballSettled) return { angle: angleOfPocket(spin.pocket), radius: R_BALL_POCKET };

    const flight = T.ballSettled - T.ballLaunched;
    const tau = into - T.ballLaunched;
    // Linear deceleration relative to the rotor, reaching zero exactly on the target pocket.
    let angle = spin.launchAngle + spin.v0 * (tau - (tau * tau) / (2 * flight));
    let radius = R_BALL_TRACK;
    const dropAt = T.ballDrops - T.ballLaunched;
    if (tau > dropAt) {
      const s = (tau - dropAt) / (flight - dropAt);
      const fall = s < 0.35 ? easeInQuad(s / 0.35) : 1;
      // Bounces off the frets: damped, vanishing at s = 1 so the ball ends exactly in its pocket.
      const bounce = spin.bounce * Math.abs(Math.sin(s * Math.PI * 3.2)) * (1 - s) ** 2;
      radius = R_BALL_TRACK + (R_BALL_POCKET - R_BALL_TRACK) * fall + bounce;
      angle += spin.wobble * Math.sin(s * Math.PI * 4) * (1 - s) ** 2;
    }
    return { angle, radius };
  }

  #roundAt(t: number): number {
    return Math.floor((t - this.#epochMs) / ROULETTE_TIMELINE.cycle);
  }

  #roundStart(round: number): number {
    return this.#epochMs + round * ROULETTE_TIMELINE.cycle;
  }

  #bettingOpened(round: number, studioTimeMs: number): RouletteSceneEvent {
    return {
      type: 'bettingOpened',
      round,
      studioTimeMs,
      bettingClosesAtMs: this.#roundStart(round) + ROULETTE_TIMELINE.bettingClosed,
    };
  }

  #spin(round: number): Spin {
    const cached = this.#spins.get(round);
    if (cached) return cached;
    const random = new SeededRandom(hashSeed(this.#seed, round));
    const pocket = WHEEL_ORDER[random.below(POCKET_COUNT)] as number;
    const launchAt = this.#roundStart(round) + ROULETTE_TIMELINE.ballLaunched;
    // The dealer releases the ball from the same side of the wheel every time (bottom right).
    const launchWorld = Math.PI * random.between(0.55, 0.8);
    const launchAngle = launchWorld - this.rotorAngle(launchAt);
    const flight = ROULETTE_TIMELINE.ballSettled - ROULETTE_TIMELINE.ballLaunched;
    const nominalSpeed = -(TWO_PI * random.between(2.3, 2.8)) / 1000 - ROTOR_RAD_PER_MS;
    const nominalTravel = (nominalSpeed * flight) / 2;
    const target = angleOfPocket(pocket);
    // Lengthen the (anticlockwise) travel by less than a turn so it ends on the target pocket.
    const overshoot = mod(launchAngle + nominalTravel - target, TWO_PI);
    const travel = nominalTravel - overshoot;
    const spin: Spin = {
      pocket,
      launchAngle,
      v0: (2 * travel) / flight,
      bounce: random.between(6, 12),
      wobble: random.between(-0.25, 0.25),
    };
    if (this.#spins.size > 64) this.#spins.clear();
    this.#spins.set(round, spin);
    return spin;
  }

  #ensureLayers(width: number, height: number): RouletteLayers | null {
    if (!this.#createLayer) return null;
    if (this.#layers && this.#layers.width === width && this.#layers.height === height) return this.#layers;
    const sx = width / REF_WIDTH;
    const sy = height / REF_HEIGHT;
    const felt = this.#createLayer(width, height);
    felt.ctx.scale(sx, sy);
    paintFelt(felt.ctx);
    const size = Math.ceil(2 * R_NUMBERS_OUT * Math.max(sx, sy)) + 4;
    const rotor = this.#createLayer(size, size);
    rotor.ctx.translate(size / 2, size / 2);
    rotor.ctx.scale(sx, sy);
    paintRotor(rotor.ctx);
    this.#layers = { width, height, felt: felt.image, rotor: rotor.image };
    return this.#layers;
  }

  #drawBall(ctx: Canvas2D, rotor: number): void {
    const ball = this.ballPosition(this.#timeMs);
    if (!ball) return;
    const world = rotor + ball.angle - Math.PI / 2;
    const x = CX + ball.radius * Math.cos(world);
    const y = CY + ball.radius * Math.sin(world);
    ctx.fillStyle = 'rgba(0,0,0,0.45)';
    ctx.beginPath();
    ctx.arc(x + 1.5, y + 1.5, R_BALL, 0, TWO_PI);
    ctx.fill();
    const shine = ctx.createRadialGradient(x - 1.8, y - 1.8, 0.5, x, y, R_BALL);
    shine.addColorStop(0, '#ffffff');
    shine.addColorStop(0.6, '#e9e9e9');
    shine.addColorStop(1, '#9a9a9a');
    ctx.fillStyle = shine;
    ctx.beginPath();
    ctx.arc(x, y, R_BALL, 0, TWO_PI);
    ctx.fill();
  }

  #drawPanel(ctx: Canvas2D, state: RouletteSceneState): void {
    // Results history: most recent on the left, as on a studio's result board.
    ctx.font = `bold 10px ${FONT_FAMILY}`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    state.history.forEach((pocket, i) => {
      const x = PANEL_X + 4 + i * 23;
      ctx.fillStyle = COLOURS[pocketColour(pocket)];
      roundedRectPath(ctx, x, 58, 20, 20, 3);
      ctx.fill();
      ctx.strokeStyle = i === 0 ? COLOURS.gold : 'rgba(255,255,255,0.35)';
      ctx.lineWidth = i === 0 ? 1.5 : 1;
      ctx.stroke();
      ctx.fillStyle = '#fff';
      ctx.fillText(String(pocket), x + 10, 68.5);
    });

    const now = this.#timeMs;
    switch (state.phase) {
      case 'betting':
        drawPhaseBanner(ctx, PANEL_X + 4, 90, 280, 'PLACE YOUR BETS', '#f4d77a', {
          remainingMs: state.bettingClosesAtMs - now,
          totalMs: ROULETTE_TIMELINE.bettingClosed,
        });
        break;
      case 'spinning':
        drawPhaseBanner(ctx, PANEL_X + 4, 90, 280, 'NO MORE BETS', '#ff8a7a', null);
        break;
      case 'result':
        this.#drawResult(ctx, state.pocket ?? 0);
        break;
      default:
        assertUnreachable(state.phase);
    }

    if (state.phase === 'result' && state.pocket !== null) {
      const cell = gridCell(state.pocket);
      // The dealer's marker ("dolly") on the winning number.
      ctx.fillStyle = 'rgba(255,255,255,0.92)';
      ctx.strokeStyle = COLOURS.gold;
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.arc(cell.x + cell.w / 2, cell.y + cell.h / 2, 7, 0, TWO_PI);
      ctx.fill();
      ctx.stroke();
    }

    ctx.font = `10px ${FONT_FAMILY}`;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'alphabetic';
    ctx.fillStyle = 'rgba(255,255,255,0.75)';
    ctx.fillText(`ROUND ${state.round}  ·  EUROPEAN ROULETTE  ·  SINGLE ZERO`, PANEL_X + 4, 330);
  }

  #drawResult(ctx: Canvas2D, pocket: number): void {
    const colour = pocketColour(pocket);
    const x = PANEL_X + 48;
    const y = 134;
    ctx.fillStyle = 'rgba(0,0,0,0.35)';
    ctx.beginPath();
    ctx.arc(x + 2, y + 2, 34, 0, TWO_PI);
    ctx.fill();
    ctx.fillStyle = COLOURS[colour];
    ctx.strokeStyle = COLOURS.gold;
    ctx.lineWidth = 3;
    ctx.beginPath();
    ctx.arc(x, y, 34, 0, TWO_PI);
    ctx.fill();
    ctx.stroke();
    ctx.fillStyle = '#fff';
    ctx.font = `bold 34px ${FONT_FAMILY}`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText(String(pocket), x, y + 1);

    const words =
      pocket === 0
        ? ['ZERO']
        : [colour.toUpperCase(), pocket % 2 === 0 ? 'EVEN' : 'ODD', pocket <= 18 ? '1-18' : '19-36'];
    ctx.textAlign = 'left';
    ctx.font = `bold 17px ${FONT_FAMILY}`;
    ctx.fillText('WINNING NUMBER', x + 46, y - 13);
    ctx.font = `bold 15px ${FONT_FAMILY}`;
    ctx.fillStyle = '#f4d77a';
    ctx.fillText(words.join('  ·  '), x + 46, y + 13);
  }
}

/** Felt, wooden bowl, ball track and the betting layout: everything that never moves. */
function paintFelt(ctx: Canvas2D): void {
  const felt = ctx.createRadialGradient(
    REF_WIDTH * 0.45,
    REF_HEIGHT * 0.55,
    40,
    REF_WIDTH * 0.5,
    REF_HEIGHT * 0.5,
    420,
  );
  felt.addColorStop(0, COLOURS.feltLight);
  felt.addColorStop(1, COLOURS.feltDark);
  ctx.fillStyle = felt;
  ctx.fillRect(0, 0, REF_WIDTH, REF_HEIGHT);

  // Bowl shadow on the felt, then the wooden rim.
  ctx.fillStyle = 'rgba(0,0,0,0.35)';
  ctx.beginPath();
  ctx.arc(CX + 4, CY + 5, R_RIM_OUT + 2, 0, TWO_PI);
  ctx.fill();
  const rim = ctx.createRadialGradient(CX - 40, CY - 50, 20, CX, CY, R_RIM_OUT);
  rim.addColorStop(0, '#a06a36');
  rim.addColorStop(0.85, '#6b3f1c');
  rim.addColorStop(1, '#3a200c');
  ctx.fillStyle = rim;
  ctx.beginPath();
  ctx.arc(CX, CY, R_RIM_OUT, 0, TWO_PI);
  ctx.fill();

  // Ball track: polished, lighter wood where the ball runs.
  const track = ctx.createRadialGradient(CX, CY, R_TRACK_IN, CX, CY, R_RIM_IN);
  track.addColorStop(0, '#4a2a12');
  track.addColorStop(0.55, '#8c5a2c');
  track.addColorStop(1, '#5c3516');
  ctx.fillStyle = track;
  ctx.beginPath();
  ctx.arc(CX, CY, R_RIM_IN, 0, TWO_PI);
  ctx.fill();
  ctx.strokeStyle = COLOURS.gold;
  ctx.lineWidth = 1.2;
  ctx.beginPath();
  ctx.arc(CX, CY, R_RIM_IN, 0, TWO_PI);
  ctx.stroke();

  // Lower (stator) cone with the eight deflectors ("diamonds") that scatter the falling ball.
  const cone = ctx.createRadialGradient(CX, CY, R_NUMBERS_OUT, CX, CY, R_TRACK_IN);
  cone.addColorStop(0, '#1d120a');
  cone.addColorStop(1, '#3b2413');
  ctx.fillStyle = cone;
  ctx.beginPath();
  ctx.arc(CX, CY, R_TRACK_IN, 0, TWO_PI);
  ctx.fill();
  for (let i = 0; i < 8; i++) {
    const a = (i * TWO_PI) / 8 + TWO_PI / 16;
    const r = (R_TRACK_IN + R_NUMBERS_OUT) / 2;
    ctx.save();
    ctx.translate(CX + r * Math.cos(a), CY + r * Math.sin(a));
    ctx.rotate(a + (i % 2 === 0 ? 0 : Math.PI / 2));
    ctx.fillStyle = COLOURS.gold;
    ctx.beginPath();
    ctx.moveTo(-6, 0);
    ctx.lineTo(0, -3);
    ctx.lineTo(6, 0);
    ctx.lineTo(0, 3);
    ctx.closePath();
    ctx.fill();
    ctx.restore();
  }

  paintLayout(ctx);
}

/** The betting layout printed on the felt beside the wheel, zero on the left, as seen by the dealer. */
function paintLayout(ctx: Canvas2D): void {
  const { x, y, zeroW, cellW, cellH } = GRID;
  ctx.lineWidth = 1.5;
  ctx.strokeStyle = 'rgba(255,255,255,0.85)';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';

  ctx.fillStyle = COLOURS.green;
  ctx.beginPath();
  ctx.moveTo(x + zeroW, y);
  ctx.lineTo(x + 8, y);
  ctx.lineTo(x, y + (3 * cellH) / 2);
  ctx.lineTo(x + 8, y + 3 * cellH);
  ctx.lineTo(x + zeroW, y + 3 * cellH);
  ctx.closePath();
  ctx.fill();
  ctx.stroke();
  ctx.fillStyle = '#fff';
  ctx.font = `bold 13px ${FONT_FAMILY}`;
  ctx.fillText('0', x + zeroW / 2 + 2, y + (3 * cellH) / 2);

  ctx.font = `bold 10px ${FONT_FAMILY}`;
  for (let n = 1; n <= 36; n++) {
    const cell = gridCell(n);
    ctx.fillStyle = COLOURS[pocketColour(n)];
    ctx.fillRect(cell.x, cell.y, cell.w, cell.h);
    ctx.strokeRect(cell.x, cell.y, cell.w, cell.h);
    ctx.fillStyle = '#fff';
    ctx.fillText(String(n), cell.x + cell.w / 2, cell.y + cell.h / 2 + 0.5);
  }
  const right = x + zeroW + 12 * cellW;
  ctx.font = `bold 8px ${FONT_FAMILY}`;
  for (let row = 0; row < 3; row++) {
    ctx.strokeRect(right, y + row * cellH, 24, cellH);
    ctx.fillStyle = '#fff';
    ctx.fillText('2:1', right + 12, y + row * cellH + cellH / 2);
  }

  const dozenY = y + 3 * cellH;
  ctx.font = `bold 9px ${FONT_FAMILY}`;
  ['1st 12', '2nd 12', '3rd 12'].forEach((label, i) => {
    const cx = x + zeroW + i * 4 * cellW;
    ctx.strokeRect(cx, dozenY, 4 * cellW, 18);
    ctx.fillStyle = '#fff';
    ctx.fillText(label, cx + 2 * cellW, dozenY + 9.5);
  });
  const evenY = dozenY + 18;
  ['1-18', 'EVEN', 'RED', 'BLACK', 'ODD', '19-36'].forEach((label, i) => {
    const cx = x + zeroW + i * 2 * cellW;
    ctx.strokeRect(cx, evenY, 2 * cellW, 18);
    if (label === 'RED' || label === 'BLACK') {
      ctx.fillStyle = label === 'RED' ? COLOURS.red : COLOURS.black;
      ctx.beginPath();
      ctx.moveTo(cx + cellW, evenY + 3);
      ctx.lineTo(cx + cellW + 12, evenY + 9);
      ctx.lineTo(cx + cellW, evenY + 15);
      ctx.lineTo(cx + cellW - 12, evenY + 9);
      ctx.closePath();
      ctx.fill();
      ctx.strokeStyle = 'rgba(255,255,255,0.6)';
      ctx.lineWidth = 1;
      ctx.stroke();
      ctx.strokeStyle = 'rgba(255,255,255,0.85)';
      ctx.lineWidth = 1.5;
    } else {
      ctx.fillStyle = '#fff';
      ctx.fillText(label, cx + cellW, evenY + 9.5);
    }
  });
}

/** The turning part, drawn centred on the origin with the zero pocket at 12 o'clock. */
function paintRotor(ctx: Canvas2D): void {
  for (let i = 0; i < POCKET_COUNT; i++) {
    const pocket = WHEEL_ORDER[i] as number;
    const colour = pocketColour(pocket);
    const from = i * POCKET_ARC - POCKET_ARC / 2 - Math.PI / 2;
    const to = from + POCKET_ARC;
    ctx.fillStyle = COLOURS[colour];
    ctx.beginPath();
    ctx.arc(0, 0, R_NUMBERS_OUT, from, to);
    ctx.arc(0, 0, R_NUMBERS_IN, to, from, true);
    ctx.closePath();
    ctx.fill();
    ctx.fillStyle = COLOURS[`${colour}Pocket`];
    ctx.beginPath();
    ctx.arc(0, 0, R_NUMBERS_IN, from, to);
    ctx.arc(0, 0, R_POCKETS_IN, to, from, true);
    ctx.closePath();
    ctx.fill();
  }

  // Frets between pockets and the gold rings that frame the number ring.
  ctx.strokeStyle = '#c9c9c9';
  ctx.lineWidth = 1.2;
  ctx.beginPath();
  for (let i = 0; i < POCKET_COUNT; i++) {
    const a = i * POCKET_ARC - POCKET_ARC / 2 - Math.PI / 2;
    ctx.moveTo(R_POCKETS_IN * Math.cos(a), R_POCKETS_IN * Math.sin(a));
    ctx.lineTo(R_NUMBERS_OUT * Math.cos(a), R_NUMBERS_OUT * Math.sin(a));
  }
  ctx.stroke();
  ctx.strokeStyle = COLOURS.gold;
  for (const r of [R_NUMBERS_OUT, R_NUMBERS_IN, R_POCKETS_IN]) {
    ctx.lineWidth = r === R_NUMBERS_IN ? 1.5 : 2;
    ctx.beginPath();
    ctx.arc(0, 0, r, 0, TWO_PI);
    ctx.stroke();
  }

  ctx.fillStyle = '#fff';
  ctx.font = `bold 9.5px ${FONT_FAMILY}`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  for (let i = 0; i < POCKET_COUNT; i++) {
    ctx.save();
    ctx.rotate(i * POCKET_ARC);
    ctx.fillText(String(WHEEL_ORDER[i]), 0, -(R_NUMBERS_OUT + R_NUMBERS_IN) / 2 - 0.5);
    ctx.restore();
  }

  // Rotor cone (wood) and the gold turret in the middle.
  const cone = ctx.createRadialGradient(-15, -15, 4, 0, 0, R_POCKETS_IN);
  cone.addColorStop(0, '#b07a42');
  cone.addColorStop(0.7, '#7a4a22');
  cone.addColorStop(1, '#4a2a10');
  ctx.fillStyle = cone;
  ctx.beginPath();
  ctx.arc(0, 0, R_POCKETS_IN - 1, 0, TWO_PI);
  ctx.fill();
  ctx.strokeStyle = COLOURS.gold;
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.arc(0, 0, R_TURRET + 10, 0, TWO_PI);
  ctx.stroke();

  ctx.strokeStyle = '#e8c878';
  ctx.lineWidth = 4;
  ctx.lineCap = 'round';
  ctx.beginPath();
  for (let k = 0; k < 4; k++) {
    const a = (k * Math.PI) / 2 + Math.PI / 4;
    ctx.moveTo(0, 0);
    ctx.lineTo((R_TURRET + 18) * Math.cos(a), (R_TURRET + 18) * Math.sin(a));
  }
  ctx.stroke();
  ctx.fillStyle = '#f0d68c';
  for (let k = 0; k < 4; k++) {
    const a = (k * Math.PI) / 2 + Math.PI / 4;
    ctx.beginPath();
    ctx.arc((R_TURRET + 19) * Math.cos(a), (R_TURRET + 19) * Math.sin(a), 4, 0, TWO_PI);
    ctx.fill();
  }
  const dome = ctx.createRadialGradient(-4, -4, 1, 0, 0, 11);
  dome.addColorStop(0, '#fff3c4');
  dome.addColorStop(1, '#b48a2c');
  ctx.fillStyle = dome;
  ctx.beginPath();
  ctx.arc(0, 0, 11, 0, TWO_PI);
  ctx.fill();
}

function gridCell(n: number): { x: number; y: number; w: number; h: number } {
  if (n === 0) return { x: GRID.x, y: GRID.y, w: GRID.zeroW, h: 3 * GRID.cellH };
  const column = Math.floor((n - 1) / 3);
  const row = 2 - ((n - 1) % 3);
  return {
    x: GRID.x + GRID.zeroW + column * GRID.cellW,
    y: GRID.y + row * GRID.cellH,
    w: GRID.cellW,
    h: GRID.cellH,
  };
}

function easeInQuad(s: number): number {
  return s * s;
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}
