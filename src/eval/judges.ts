// How good are the judges themselves? Two figures per suite, on the suite's own prompt set:
//   - ceiling: the share of ground-truth pictures (rendered scenes, exact edit targets) the judge
//     passes — what a perfect model would score;
//   - false passes: the share of deliberately wrong pictures it passes — another item's ground
//     truth, a blank background, the right objects in the wrong cells or colours or counts, an
//     edit's untouched source. A judge can reach any ceiling by being lenient; this is the
//     figure that says it is not.
// A wrong picture is only counted when it really is wrong: its scene's exact labels must fail
// the expectation (checked with perfect per-cell predictions), so coincidences do not count.
import { layoutScene, type SceneSpec } from '../data/scene.ts';
import { renderScene } from '../data/render.ts';
import { DataRng, hashString, type RgbImage, type Scene } from '../data/index.ts';
import { OBJECT_CLASSES, canRender } from '../data/catalog.ts';
import { colorsVisibleOn } from '../data/sampler.ts';
import { checkExpectation } from './expect.ts';
import { COMPOSE_CATEGORIES, composePrompts, type ComposeItem } from './prompts/compose.ts';
import { editItems, editPairOf } from './prompts/edit.ts';
import { textPrompts } from './prompts/text.ts';
import { changeHappened, type EditCase } from './edit-check.ts';
import { readWord, scoreWord } from './ocr.ts';
import { CELL_KINDS, SCORER_CLASSES, cellLabels } from './scorer/labels.ts';
import type { Scorer } from './scorer/scorer.ts';
import { predictionsFromLabels } from './testing.ts';
import { mean, round } from './result.ts';

export interface JudgeFailure {
  suite: string;
  id: string;
  /** 'truth' (a miss on ground truth) or the kind of wrong picture that passed. */
  probe: string;
  what: string;
  why: string;
}

export interface JudgeQuality {
  suite: string;
  /** Pass rate on ground truth, per category, and their mean. */
  ceiling: Record<string, number>;
  ceilingOverall: number;
  /** Pass rate on wrong pictures, per kind of wrong picture (with how many were tried). */
  falsePass: Record<string, { rate: number; n: number }>;
  falsePassOverall: number;
  failures: JudgeFailure[];
}

export interface JudgeOptions {
  n: number;
  width: number;
  height: number;
  seed?: number;
}

interface Probe {
  kind: string;
  spec: SceneSpec;
}

const blankOf = (spec: SceneSpec): SceneSpec => ({ background: spec.background, objects: [], texts: [], blur: null });

/** Wrong versions of one compose item's ground truth (before the oracle filters coincidences). */
function composeProbes(it: ComposeItem, others: readonly ComposeItem[]): Probe[] {
  const t = it.truth;
  const probes: Probe[] = [{ kind: 'blank', spec: blankOf(t) }];
  // Another item of the same category (its picture, this item's prompt).
  const other = others.find((o) => o.category === it.category && o.id !== it.id && JSON.stringify(o.expect) !== JSON.stringify(it.expect));
  if (other) probes.push({ kind: 'other_item', spec: other.truth });
  const objs = t.objects;
  // Each group moved to the cell mirrored through the centre (or one over, for the centre).
  const moved = objs.map((o) => {
    const cell = o.row * 3 + o.col;
    const to = cell === 4 ? 5 : 8 - cell;
    return { ...o, row: Math.floor(to / 3) as typeof o.row, col: (to % 3) as typeof o.col };
  });
  if (objs.length === 1) probes.push({ kind: 'wrong_cell', spec: { ...t, objects: moved } });
  if (objs.length === 2) {
    // The two groups trade places: the relation reverses, nothing else changes.
    const swapped = [
      { ...objs[0]!, row: objs[1]!.row, col: objs[1]!.col },
      { ...objs[1]!, row: objs[0]!.row, col: objs[0]!.col },
    ];
    probes.push({ kind: 'wrong_cell', spec: { ...t, objects: swapped } });
    // Colours trade places between the objects (colour attribution's own mistake).
    if (objs[0]!.color && objs[1]!.color && objs[0]!.color !== objs[1]!.color) {
      probes.push({ kind: 'swapped_colors', spec: { ...t, objects: [{ ...objs[0]!, color: objs[1]!.color }, { ...objs[1]!, color: objs[0]!.color }] } });
    }
    probes.push({ kind: 'missing_group', spec: { ...t, objects: [objs[0]!] } });
  }
  // Per group: another named class, a class outside the scorer's vocabulary, another colour —
  // each drawn in the same art set, cell, count and colour, so only that one fact is wrong.
  const rng = new DataRng(hashString(`judge-probe:${it.id}`));
  const unnamed = OBJECT_CLASSES.map((c) => c.id).filter((id) => !SCORER_CLASSES.includes(id));
  for (let i = 0; i < objs.length; i++) {
    const o = objs[i]!;
    const replace = (kind: string, pool: string[]) => {
      const ok = pool.filter((c) => c !== o.classId && !objs.some((x) => x.classId === c) && canRender(o.artSet, c));
      if (ok.length > 0) probes.push({ kind, spec: { ...t, objects: objs.map((x, j) => (j === i ? { ...x, classId: rng.pick(ok) } : x)) } });
    };
    replace('wrong_class', [...SCORER_CLASSES]);
    replace('unnamed_class', unnamed);
    if (it.expect.groups[i]?.color !== undefined) {
      const ok = colorsVisibleOn(t.background).filter((c) => c !== o.color);
      probes.push({ kind: 'wrong_color', spec: { ...t, objects: objs.map((x, j) => (j === i ? { ...x, color: rng.pick(ok) } : x)) } });
    }
    if (o.count > 1 || it.expect.groups[i]?.count !== undefined) {
      const wrongCount = o.count === 4 ? 3 : o.count + 1;
      probes.push({ kind: 'wrong_count', spec: { ...t, objects: objs.map((x, j) => (j === i ? { ...x, count: wrongCount } : x)) } });
    }
  }
  return probes;
}

function add(m: Map<string, number[]>, key: string, v: number): void {
  const a = m.get(key) ?? [];
  a.push(v);
  m.set(key, a);
}

function summarise(suite: string, ceiling: Map<string, number[]>, falses: Map<string, number[]>, failures: JudgeFailure[]): JudgeQuality {
  const c: Record<string, number> = {};
  for (const [k, v] of ceiling) c[k] = round(mean(v));
  const f: Record<string, { rate: number; n: number }> = {};
  const all: number[] = [];
  for (const [k, v] of falses) {
    f[k] = { rate: round(mean(v)), n: v.length };
    all.push(...v);
  }
  return { suite, ceiling: c, ceilingOverall: round(mean(Object.values(c))), falsePass: f, falsePassOverall: round(mean(all)), failures };
}

const describeCells = (pred: Awaited<ReturnType<Scorer['predict']>>[number]) =>
  pred.filter((c) => c.kind !== 'empty').map((c) => `${c.cell}:${c.kind}/${c.color}/${c.count}`).join(' ') || 'all empty';

/** The three likeliest kinds of a cell, for reading failures. */
function topKinds(p: Float32Array): string {
  return [...p].map((v, i) => [v, i] as const).sort((a, b) => b[0] - a[0]).slice(0, 3).map(([v, i]) => `${CELL_KINDS[i]} ${v.toFixed(2)}`).join(' ');
}

/** The compose judge (scorer + expectation checks) on ground truth and on wrong pictures. */
export async function judgeCompose(scorer: Scorer, opts: JudgeOptions): Promise<JudgeQuality> {
  const items = composePrompts(opts.n, opts.seed);
  const render = (spec: SceneSpec): { image: RgbImage; scene: Scene } => {
    const scene = layoutScene(spec, opts.width, opts.height);
    return { image: renderScene(scene).image, scene };
  };
  const ceiling = new Map<string, number[]>(COMPOSE_CATEGORIES.map((c) => [c, []]));
  const falses = new Map<string, number[]>();
  const failures: JudgeFailure[] = [];
  for (const it of items) {
    const truth = render(it.truth);
    const [pred] = await scorer.predict([truth.image]);
    const r = checkExpectation(pred!, it.expect);
    add(ceiling, it.category, r.correct ? 1 : 0);
    if (!r.correct) {
      const oracle = checkExpectation(predictionsFromLabels(cellLabels(truth.scene)), it.expect);
      const why = oracle.correct ? r.failures.join('; ') : `EXPECTATION fails on exact labels: ${oracle.failures.join('; ')}`;
      const top = it.truth.objects.map((o) => `${o.classId}@${o.row * 3 + o.col}(${o.artSet}): ${topKinds(pred![o.row * 3 + o.col]!.probs.kind)}`).join(', ');
      failures.push({ suite: 'compose', id: it.id, probe: 'truth', what: it.prompt, why: `${why} [saw ${describeCells(pred!)}] [${top}]` });
    }
    for (const p of composeProbes(it, items)) {
      const wrong = render(p.spec);
      // Only pictures that are wrong by their exact labels count.
      if (checkExpectation(predictionsFromLabels(cellLabels(wrong.scene)), it.expect).correct) continue;
      const [wp] = await scorer.predict([wrong.image]);
      const passed = checkExpectation(wp!, it.expect).correct;
      add(falses, `${it.category}/${p.kind}`, passed ? 1 : 0);
      add(falses, p.kind, passed ? 1 : 0);
      if (passed) failures.push({ suite: 'compose', id: it.id, probe: p.kind, what: it.prompt, why: `passed [saw ${describeCells(wp!)}]` });
    }
  }
  // The per-kind rows are for reading; the overall false-pass rate counts each picture once.
  const q = summarise('compose', ceiling, new Map([...falses].filter(([k]) => !k.includes('/'))), failures);
  for (const [k, v] of falses) if (k.includes('/')) q.falsePass[k] = { rate: round(mean(v)), n: v.length };
  return q;
}

/** The edit judge on the exact targets and on the untouched source / another item's target. */
export async function judgeEdit(scorer: Scorer, opts: JudgeOptions): Promise<JudgeQuality> {
  const size = { width: opts.width, height: opts.height };
  const items = editItems(opts.n, size, opts.seed);
  const ceiling = new Map<string, number[]>();
  const falses = new Map<string, number[]>();
  const failures: JudgeFailure[] = [];
  const pairs = items.map((it) => ({ it, pair: editPairOf(it, size) }));
  for (const { it, pair } of pairs) {
    const c: EditCase = pair;
    const judge = async (img: RgbImage) => {
      const [pred, sourcePred] = await scorer.predict([img, c.source]);
      return changeHappened(c, img, pred!, sourcePred);
    };
    const r = await judge(pair.target);
    add(ceiling, it.kind, r.changed ? 1 : 0);
    if (!r.changed) failures.push({ suite: 'edit', id: it.id, probe: 'truth', what: pair.instruction, why: r.failures.join('; ') });
    // Doing nothing must not count as the edit.
    const same = await judge(pair.source);
    add(falses, 'unchanged_source', same.changed ? 1 : 0);
    if (same.changed) failures.push({ suite: 'edit', id: it.id, probe: 'unchanged_source', what: pair.instruction, why: 'passed' });
    // A blank picture of the target's background.
    const blank = renderScene(layoutScene(blankOf(pair.targetScene), size.width, size.height)).image;
    const b = await judge(blank);
    add(falses, 'blank', b.changed ? 1 : 0);
    if (b.changed) failures.push({ suite: 'edit', id: it.id, probe: 'blank', what: pair.instruction, why: 'passed' });
    // The target of another pair of the same kind (a different scene, the same kind of change).
    const other = pairs.find((x) => x.it.kind === it.kind && x.it.id !== it.id);
    if (other) {
      const o = await judge(other.pair.target);
      add(falses, 'other_item', o.changed ? 1 : 0);
      if (o.changed) failures.push({ suite: 'edit', id: it.id, probe: 'other_item', what: pair.instruction, why: 'passed' });
    }
  }
  return summarise('edit', ceiling, falses, failures);
}

/** The text judge (Tesseract) on ground-truth signs, on another word's sign and on a blank picture. */
export async function judgeText(opts: JudgeOptions): Promise<JudgeQuality> {
  const items = textPrompts(opts.n, opts.seed);
  const ceiling = new Map<string, number[]>([['word_accuracy', []]]);
  const falses = new Map<string, number[]>();
  const failures: JudgeFailure[] = [];
  const draw = (spec: SceneSpec) => renderScene(layoutScene(spec, opts.width, opts.height)).image;
  for (const it of items) {
    const s = scoreWord(it.word, await readWord(draw(it.truth), it.word));
    add(ceiling, 'word_accuracy', s.correct ? 1 : 0);
    if (!s.correct) failures.push({ suite: 'text', id: it.id, probe: 'truth', what: it.prompt, why: `read "${s.read}"` });
    const other = items.find((o, j) => j > items.indexOf(it) && o.word !== it.word) ?? items.find((o) => o.word !== it.word);
    const probes: [string, SceneSpec][] = [['blank', blankOf(it.truth)]];
    if (other) probes.push(['other_word', { ...it.truth, texts: [{ ...it.truth.texts[0]!, text: other.word }] }]);
    for (const [kind, spec] of probes) {
      const w = scoreWord(it.word, await readWord(draw(spec), it.word));
      add(falses, kind, w.correct ? 1 : 0);
      if (w.correct) failures.push({ suite: 'text', id: it.id, probe: kind, what: it.prompt, why: `read "${w.read}"` });
    }
  }
  return summarise('text', ceiling, falses, failures);
}
