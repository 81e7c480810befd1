// Edit pairs: a source scene, one change to its description, and the target scene drawn from
// the changed description. Because both images come from specs, the mask of what may change
// is known exactly, and the instruction is written from the same change.
import { canRender } from './catalog.ts';
import type { ColorName } from './colors.ts';
import { containsHeldout } from './heldout.ts';
import { createMask, fillMaskBox, type Mask, type RgbImage } from './image.ts';
import { backgroundPhrase, groupPhrase, groupRef, positionPhrase } from './phrases.ts';
import { blurRegion, renderScene } from './render.ts';
import { DataRng, mixSeed } from './rng.ts';
import { scopeClasses, type DataScope } from './scope.ts';
import {
  colorsVisibleOn, sampleBackground, sampleObject, sampleSpec, sampleWord,
  type Split, type SpecConstraints,
} from './sampler.ts';
import {
  POSITIONS, SIZES, layoutScene, occupiedCells, positionName, specOf,
  type Col, type LayoutOptions, type ObjectSpec, type Row, type Scene, type SceneSpec,
} from './scene.ts';
import { validateSize } from './sizes.ts';
import { textFits } from './plates.ts';

export const EDIT_KINDS = ['remove', 'replace', 'recolor', 'resize', 'move', 'add', 'background', 'lettering', 'deblur'] as const;
export type EditKind = (typeof EDIT_KINDS)[number];

export function isEditKind(s: string): s is EditKind {
  return (EDIT_KINDS as readonly string[]).includes(s);
}

export interface EditPair {
  source: RgbImage;
  target: RgbImage;
  /** 255 where the edit may change pixels; every changed pixel lies inside it. */
  mask: Mask;
  instruction: string;
  /** Other phrasings of the same instruction. */
  instructions: string[];
  kind: EditKind;
  sourceScene: Scene;
  targetScene: Scene;
}

export interface EditOptions {
  width: number;
  height: number;
  kind?: EditKind;
  split?: Split;
  /** The part of the world scenes are drawn from; default all of it. */
  scope?: DataScope;
}

/** A change to a spec, before anything is drawn. */
interface ProposedEdit {
  source: SceneSpec;
  target: SceneSpec;
  instructions: string[];
  /** How to find the changed region once both are laid out. */
  region: (src: Scene, tgt: Scene) => Mask;
}

/** What each kind needs of the source scene. */
const SOURCE_NEEDS: Record<EditKind, SpecConstraints> = {
  remove: { minObjects: 1 },
  replace: { minObjects: 1 },
  recolor: { minObjects: 1 },
  resize: { minObjects: 1 },
  move: { minObjects: 1, minFreeCells: 1 },
  add: { maxObjects: 3, minFreeCells: 1 },
  background: {},
  lettering: { text: true },
  deblur: { minObjects: 1 },
};

const EDIT_SALT = 0xed17;

export function makeEditPair(seed: number, opts: EditOptions): EditPair {
  validateSize(opts.width, opts.height);
  const split = opts.split ?? 'train';
  const rng = new DataRng(mixSeed(EDIT_SALT, seed, split === 'train' ? 0 : 1));
  const kind = opts.kind ?? rng.pick(EDIT_KINDS);
  for (let attempt = 0; attempt < 200; attempt++) {
    const size = { width: opts.width, height: opts.height };
    const spec = sampleSpec(rng, split, { ...SOURCE_NEEDS[kind], scope: opts.scope, size });
    const edit = proposeEdit(rng, spec, kind, split, { scope: opts.scope, size });
    if (!edit || !splitAllows(edit, split)) continue;
    return drawEdit(edit, kind, opts.width, opts.height, rng, { snap: opts.scope?.snap });
  }
  throw new Error(`could not make a ${kind} edit for seed ${seed}`);
}

function splitAllows(edit: ProposedEdit, split: Split): boolean {
  const held = containsHeldout(edit.source) || containsHeldout(edit.target);
  return split === 'train' ? !held : held;
}

function drawEdit(edit: ProposedEdit, kind: EditKind, width: number, height: number, rng: DataRng, layout: LayoutOptions): EditPair {
  const sourceScene = layoutScene(edit.source, width, height, layout);
  const targetScene = layoutScene(edit.target, width, height, layout);
  const source = renderScene(sourceScene).image;
  const target = renderScene(targetScene).image;
  const mask = edit.region(sourceScene, targetScene);
  const instructions = edit.instructions;
  return { source, target, mask, instruction: rng.pick(instructions), instructions, kind, sourceScene, targetScene };
}

function cloneSpec(s: SceneSpec): SceneSpec {
  return specOf(s);
}

function freeCellList(spec: SceneSpec): number[] {
  const used = occupiedCells(spec);
  return [0, 1, 2, 3, 4, 5, 6, 7, 8].filter((c) => !used.has(c));
}

/** Mask covering object group i of the source and group j of the target (either may be absent). */
function groupRegion(i: number | null, j: number | null) {
  return (src: Scene, tgt: Scene): Mask => {
    const m = createMask(src.width, src.height);
    if (i !== null) for (const b of src.objects[i]!.instances) fillMaskBox(m, b);
    if (j !== null) for (const b of tgt.objects[j]!.instances) fillMaskBox(m, b);
    return m;
  };
}

/** Describe which group is meant: by noun, sometimes with its colour or place for variety. */
function refs(o: ObjectSpec): string[] {
  const pos = positionPhrase(positionName(o.row, o.col));
  const out = [groupRef(o), `${groupRef(o, true)} ${pos}`];
  if (o.color) out.push(groupRef(o, true));
  return out;
}

export interface ProposeOptions {
  scope?: DataScope;
  /** Output size, so that new lettering fits legibly. */
  size?: { width: number; height: number };
}

/**
 * What a proposer works on: two copies of the scene (the source, which only deblur changes, and the
 * target, which every other kind changes) and the generator every choice draws from, in order.
 */
interface EditDraft extends ProposeOptions {
  rng: DataRng;
  split: Split;
  source: SceneSpec;
  target: SceneSpec;
  /** The number of object groups in the source. */
  n: number;
  /** A random group index (draws from rng). */
  pickGroup: () => number;
}

/** Take one group away. */
function proposeRemove({ rng, source, target, n, pickGroup }: EditDraft): ProposedEdit | null {
  if (n === 0) return null;
  const i = pickGroup();
  const o = source.objects[i]!;
  target.objects.splice(i, 1);
  const r = refs(o);
  return {
    source, target, region: groupRegion(i, null),
    instructions: [`remove ${rng.pick(r)}`, `delete ${rng.pick(r)}`, `take away ${rng.pick(r)}`, `erase ${rng.pick(r)} from the picture`, `get rid of ${rng.pick(r)}`],
  };
}

/** Swap one group for an object of another class (one its art set can draw). */
function proposeReplace({ rng, source, target, n, pickGroup, scope }: EditDraft): ProposedEdit | null {
  if (n === 0) return null;
  const i = pickGroup();
  const o = source.objects[i]!;
  const used = new Set(source.objects.map((x) => x.classId));
  const cls = rng.pick(scopeClasses(scope).filter((c) => !used.has(c.id) && canRender(o.artSet, c.id)));
  const t = target.objects[i]!;
  t.classId = cls.id;
  const np = groupPhrase(t, { color: rng.chance(0.5) });
  const r = refs(o);
  return {
    source, target, region: groupRegion(i, i),
    instructions: [`replace ${rng.pick(r)} with ${np}`, `swap ${rng.pick(r)} for ${np}`, `turn ${rng.pick(r)} into ${np}`, `change ${rng.pick(r)} to ${np}`],
  };
}

/** Give one group a colour still visible on the background. */
function proposeRecolor({ rng, source, target, n, pickGroup }: EditDraft): ProposedEdit | null {
  if (n === 0) return null;
  const i = pickGroup();
  const o = source.objects[i]!;
  const options = colorsVisibleOn(source.background).filter((c) => c !== o.color);
  if (options.length === 0) return null;
  const color = rng.pick(options);
  target.objects[i]!.color = color;
  const r = refs(o);
  return {
    source, target, region: groupRegion(i, i),
    instructions: [`make ${rng.pick(r)} ${color}`, `change the color of ${rng.pick(r)} to ${color}`, `paint ${rng.pick(r)} ${color}`, `recolor ${rng.pick(r)} ${color}`, `turn ${rng.pick(r)} ${color}`],
  };
}

/** Change one group to another of the three sizes. */
function proposeResize({ rng, source, target, n, pickGroup }: EditDraft): ProposedEdit | null {
  if (n === 0) return null;
  const i = pickGroup();
  const o = source.objects[i]!;
  const at = SIZES.indexOf(o.size);
  const choices = SIZES.filter((s) => s !== o.size);
  const size = rng.pick(choices);
  target.objects[i]!.size = size;
  const bigger = SIZES.indexOf(size) > at;
  const r = refs(o);
  const ins = bigger
    ? [`make ${rng.pick(r)} bigger`, `enlarge ${rng.pick(r)}`, `scale up ${rng.pick(r)}`, `make ${rng.pick(r)} larger`]
    : [`make ${rng.pick(r)} smaller`, `shrink ${rng.pick(r)}`, `scale down ${rng.pick(r)}`, `reduce the size of ${rng.pick(r)}`];
  ins.push(`make ${rng.pick(r)} ${size === 'medium' ? 'medium-sized' : size}`);
  return { source, target, region: groupRegion(i, i), instructions: ins };
}

/** Move one group to a free cell. */
function proposeMove({ rng, source, target, n, pickGroup }: EditDraft): ProposedEdit | null {
  if (n === 0) return null;
  const free = freeCellList(source);
  if (free.length === 0) return null;
  const i = pickGroup();
  const o = source.objects[i]!;
  const cell = rng.pick(free);
  const t = target.objects[i]!;
  t.row = Math.floor(cell / 3) as Row;
  t.col = (cell % 3) as Col;
  const where = POSITIONS[cell]!;
  const r = refs(o);
  return {
    source, target, region: groupRegion(i, i),
    instructions: [`move ${rng.pick(r)} ${positionPhrase(where, 0)}`, `put ${rng.pick(r)} ${positionPhrase(where, 1)}`, `shift ${rng.pick(r)} to the ${where.replace('middle center', 'center')}`, `place ${rng.pick(r)} ${positionPhrase(where, 0)} instead`],
  };
}

/** Put a new group in a free cell. */
function proposeAdd({ rng, split, source, target, scope }: EditDraft): ProposedEdit | null {
  const o = sampleObject(rng, source, split, { scope });
  if (!o) return null;
  target.objects.push(o);
  const np = groupPhrase(o, { color: true, size: rng.chance(0.5) });
  const where = positionName(o.row, o.col);
  return {
    source, target, region: groupRegion(null, target.objects.length - 1),
    instructions: [`add ${np} ${positionPhrase(where, 0)}`, `put ${np} ${positionPhrase(where, 1)}`, `place ${np} ${positionPhrase(where, 0)}`, `insert ${np} ${positionPhrase(where, 1)}`],
  };
}

/** A new background on which every coloured object and plate stays visible. */
function proposeBackground({ rng, source, target }: EditDraft): ProposedEdit | null {
  // Every recoloured object and plate must stay visible on the new background.
  const keep: ColorName[] = [...source.objects.map((x) => x.color), ...source.texts.map((t) => t.plateColor)].filter((c): c is ColorName => c !== null);
  const old = JSON.stringify(source.background);
  let bg = sampleBackground(rng, keep);
  for (let k = 0; k < 20 && JSON.stringify(bg) === old; k++) bg = sampleBackground(rng, keep);
  if (JSON.stringify(bg) === old) return null;
  target.background = bg;
  const desc = backgroundPhrase(bg, 0).replace(/^on /, '');
  const ins = [`change the background to ${desc}`, `replace the background with ${desc}`, `use ${desc} instead`];
  if (bg.kind === 'solid') ins.push(`make the background ${bg.color}`, `turn the background ${bg.color}`);
  else ins.push(`make the background a gradient from ${bg.from} to ${bg.to}`);
  return {
    source, target, instructions: ins,
    // Everything not fully covered by an opaque object pixel or a plate.
    region: (src) => {
      const { coverage } = renderScene(src);
      const m = createMask(src.width, src.height);
      for (let p = 0; p < m.data.length; p++) m.data[p] = coverage.data[p]! < 255 ? 255 : 0;
      return m;
    },
  };
}

/** New text on one sign or plate, a word that fits it legibly. */
function proposeLettering({ rng, split, source, target, size }: EditDraft): ProposedEdit | null {
  if (source.texts.length === 0) return null;
  const k = rng.int(0, source.texts.length - 1);
  const old = source.texts[k]!;
  let word = '';
  for (let tries = 0; tries < 12 && !word; tries++) {
    const w = sampleWord(rng, split, old.text);
    if (!size || textFits({ ...old, text: w }, size.width, size.height)) word = w;
  }
  if (!word) return null;
  target.texts[k]!.text = word;
  const noun = old.kind;
  return {
    source, target,
    instructions: [`change the text on the ${noun} to "${word}"`, `replace "${old.text}" with "${word}"`, `make the ${noun} say "${word}"`, `edit the ${noun} so it reads "${word}"`, `change the word "${old.text}" to "${word}"`],
    region: (src) => {
      const m = createMask(src.width, src.height);
      fillMaskBox(m, src.texts[k]!.bbox);
      return m;
    },
  };
}

/** Blur the source (the whole image or one group) so the edit is to sharpen it. */
function proposeDeblur({ rng, source, target, n, pickGroup }: EditDraft): ProposedEdit | null {
  if (source.blur) return null;
  const onObject = n > 0 && rng.chance(0.3);
  const region = onObject ? pickGroup() : 'image';
  source.blur = { length: Math.round(rng.range(0.03, 0.08) * 1000) / 1000, angle: rng.int(0, 179), region };
  const ins = ['remove the motion blur', 'sharpen the image', 'fix the motion blur', 'deblur the photo', 'make the picture sharp again'];
  if (typeof region === 'number') {
    const r = groupRef(source.objects[region]!);
    ins.push(`remove the motion blur from ${r}`, `sharpen the blurry ${r.replace(/^the /, '')}`);
  }
  return { source, target, instructions: ins, region: (src) => blurRegion(src) };
}

const PROPOSERS: Record<EditKind, (d: EditDraft) => ProposedEdit | null> = {
  remove: proposeRemove,
  replace: proposeReplace,
  recolor: proposeRecolor,
  resize: proposeResize,
  move: proposeMove,
  add: proposeAdd,
  background: proposeBackground,
  lettering: proposeLettering,
  deblur: proposeDeblur,
};

/** Proposes one edit of the given kind, or null when this scene does not allow it. */
export function proposeEdit(rng: DataRng, spec: SceneSpec, kind: EditKind, split: Split, popts: ProposeOptions = {}): ProposedEdit | null {
  const source = cloneSpec(spec);
  const target = cloneSpec(spec);
  const n = source.objects.length;
  return PROPOSERS[kind]({ ...popts, rng, split, source, target, n, pickGroup: () => rng.int(0, n - 1) });
}

export interface EditStep {
  kind: EditKind;
  instruction: string;
  instructions: string[];
  /** Region changed between images[i] and images[i + 1]. */
  mask: Mask;
}

export interface EditChain {
  /** rounds + 1 images: the start, then the result of each step. */
  images: RgbImage[];
  scenes: Scene[];
  steps: EditStep[];
}

export interface ChainOptions extends Omit<EditOptions, 'kind'> {
  rounds: number;
}

const CHAIN_SALT = 0xc4a1;

/**
 * 2–4 edits applied one after another, each to the previous result, for training and testing
 * iterative editing without drift. Deblurring can only be the first step (a blurred start).
 */
export function makeEditChain(seed: number, opts: ChainOptions): EditChain {
  validateSize(opts.width, opts.height);
  if (!Number.isInteger(opts.rounds) || opts.rounds < 2 || opts.rounds > 4) {
    throw new RangeError(`rounds must be 2, 3 or 4, got ${opts.rounds}`);
  }
  const split = opts.split ?? 'train';
  const rng = new DataRng(mixSeed(CHAIN_SALT, seed, split === 'train' ? 0 : 1));
  for (let attempt = 0; attempt < 50; attempt++) {
    const size = { width: opts.width, height: opts.height };
    let spec = sampleSpec(rng, split, { minObjects: 1, maxObjects: 3, scope: opts.scope, size });
    const proposals: ProposedEdit[] = [];
    const kinds: EditKind[] = [];
    for (let r = 0; r < opts.rounds; r++) {
      const candidates = r === 0 ? EDIT_KINDS : EDIT_KINDS.filter((k) => k !== 'deblur');
      let done = false;
      for (const kind of rng.shuffle(candidates)) {
        const e = proposeEdit(rng, spec, kind, split, { scope: opts.scope, size });
        if (!e) continue;
        if (split === 'train' && (containsHeldout(e.source) || containsHeldout(e.target))) continue;
        proposals.push(e);
        kinds.push(kind);
        spec = e.target;
        done = true;
        break;
      }
      if (!done) break;
    }
    if (proposals.length !== opts.rounds) continue;
    if (split === 'heldout' && !proposals.some((e) => containsHeldout(e.source) || containsHeldout(e.target))) continue;
    const layout = { snap: opts.scope?.snap };
    const scenes = [layoutScene(proposals[0]!.source, opts.width, opts.height, layout), ...proposals.map((e) => layoutScene(e.target, opts.width, opts.height, layout))];
    const images = scenes.map((s) => renderScene(s).image);
    const steps = proposals.map((e, i) => ({
      kind: kinds[i]!,
      instruction: rng.pick(e.instructions),
      instructions: e.instructions,
      mask: e.region(scenes[i]!, scenes[i + 1]!),
    }));
    return { images, scenes, steps };
  }
  throw new Error(`could not make an edit chain for seed ${seed}`);
}
