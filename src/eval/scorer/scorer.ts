// Loading and running the shipped scorer (models/scorer/): per-cell predictions for images.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HostTensor, Session, asFloat32, ops as o, readSafetensors, serializeGraph } from '../../engine/index.ts';
import { Scope } from '../../nn/index.ts';
import { COLOR_NAMES, type ColorName, type RgbImage } from '../../data/index.ts';
import { SIZES, type SizeName } from '../../data/scene.ts';
import { FEATURES, featuresOf } from './features.ts';
import { CELL_KINDS, COUNTS, OBJECT_COLORS, isObjectKind, type ObjectColor } from './labels.ts';
import { HEAD_NAMES, HEADS, scorerLogits, type HeadName } from './model.ts';

export const SCORER_VERSION = '3';
export const DEFAULT_SCORER_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../models/scorer');
export const SCORER_WEIGHTS = 'scorer.safetensors';
export const SCORER_CARD = 'scorer.json';

/** What the scorer says about one grid cell. */
export interface CellPrediction {
  cell: number;
  row: number;
  col: number;
  /** 'empty', 'plate', 'other' or a class id of SCORER_CLASSES. */
  kind: string;
  kindProb: number;
  isObject: boolean;
  color: ObjectColor;
  count: number;
  size: SizeName;
  background: ColorName;
  /** Full distributions, in the label orders of labels.ts. */
  probs: Record<HeadName, Float32Array>;
}

/** The scorer's own accuracy, measured when it was trained (models/scorer/scorer.json). */
export interface ScorerCard {
  version: string;
  trainedAt: string;
  command: string;
  steps: number;
  images: number;
  seconds: number;
  classes: string[];
  validation: Record<string, Record<string, number>>;
}

function argmax(p: Float32Array, start: number, n: number): number {
  let best = 0;
  for (let i = 1; i < n; i++) if (p[start + i]! > p[start + best]!) best = i;
  return best;
}

export class Scorer {
  private constructor(
    private readonly session: Session,
    readonly card: ScorerCard | null,
  ) {}

  /** A scorer from parameter values (after training, or read from disk). */
  static async fromParams(params: Map<string, HostTensor>, card: ScorerCard | null = null, threads = 1): Promise<Scorer> {
    const scope = Scope.root();
    const x = o.input('x', ['rows', FEATURES]);
    const logits = scorerLogits(scope, x);
    const outputs: Record<string, ReturnType<typeof o.softmax>> = {};
    for (const h of HEAD_NAMES) outputs[h] = o.softmax(logits[h], -1);
    for (const [name] of scope.declarations()) {
      if (!params.has(name)) throw new Error(`scorer: weights have no tensor '${name}' (trained with another scorer version?)`);
    }
    const graph = serializeGraph({ outputs, paramMode: 'initializers', weights: (name) => asFloat32(params.get(name)!).f32() });
    return new Scorer(await Session.create(graph, { threads }), card);
  }

  static async load(dir = DEFAULT_SCORER_DIR, threads = 1): Promise<Scorer> {
    const file = join(dir, SCORER_WEIGHTS);
    if (!existsSync(file)) {
      throw Object.assign(new Error(`no scorer at ${file}; train one with \`flowpaint train-scorer --out ${dir}\``), { name: 'InputError' });
    }
    const { tensors, metadata } = readSafetensors(file);
    if (metadata.version !== SCORER_VERSION) {
      throw new Error(`${file}: scorer version ${metadata.version ?? '(none)'} but this code reads version ${SCORER_VERSION}; retrain it`);
    }
    if (metadata.classes !== CELL_KINDS.join(',')) throw new Error(`${file}: trained for other classes than this code names; retrain it`);
    const cardFile = join(dir, SCORER_CARD);
    const card = existsSync(cardFile) ? (JSON.parse(readFileSync(cardFile, 'utf8')) as ScorerCard) : null;
    return Scorer.fromParams(tensors, card, threads);
  }

  /** Nine predictions per image (row-major cells). */
  async predict(images: readonly RgbImage[]): Promise<CellPrediction[][]> {
    const out: CellPrediction[][] = [];
    const chunk = 64;
    for (let start = 0; start < images.length; start += chunk) {
      const part = images.slice(start, start + chunk);
      const x = featuresOf(part);
      const res = await this.session.run({ x: HostTensor.f32(x, [part.length * 9, FEATURES]) });
      const probs = {} as Record<HeadName, Float32Array>;
      for (const h of HEAD_NAMES) probs[h] = res[h]!.f32();
      for (let i = 0; i < part.length; i++) {
        const cells: CellPrediction[] = [];
        for (let c = 0; c < 9; c++) {
          const r = i * 9 + c;
          const pick = (h: HeadName) => argmax(probs[h], r * HEADS[h], HEADS[h]);
          const kind = pick('kind');
          const rowProbs = {} as Record<HeadName, Float32Array>;
          for (const h of HEAD_NAMES) rowProbs[h] = probs[h].slice(r * HEADS[h], (r + 1) * HEADS[h]);
          cells.push({
            cell: c,
            row: Math.floor(c / 3),
            col: c % 3,
            kind: CELL_KINDS[kind]!,
            kindProb: rowProbs.kind[kind]!,
            isObject: isObjectKind(kind),
            color: OBJECT_COLORS[pick('color')]!,
            count: COUNTS[pick('count')]!,
            size: SIZES[pick('size')]!,
            background: COLOR_NAMES[pick('background')]!,
            probs: rowProbs,
          });
        }
        out.push(cells);
      }
    }
    return out;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
