// The edit suite's prompt set: edit pairs of every kind and 4-round chains from the data
// issue's held-out split, identified by the seed that regenerates them. Pairs whose change the
// scorer could not see (a replacement between two classes outside its vocabulary) are skipped
// by seed, deterministically, so every kept item can be judged.
import { EDIT_KINDS, hashString, makeEditChain, makeEditPair, mixSeed, type EditChain, type EditKind, type EditPair } from '../../data/index.ts';
import { SCORER_CLASSES } from '../scorer/labels.ts';
import { DEFAULT_PROMPT_SEED } from './compose.ts';

export const EDIT_PROMPT_VERSION = 'edit-v1';
export const CHAIN_ROUNDS = 4;

export interface EditItem {
  id: string;
  kind: EditKind;
  seed: number;
}

export interface ChainItem {
  id: string;
  seed: number;
}

const named = (classId: string) => SCORER_CLASSES.includes(classId);

/** Whether the scorer can tell a replacement happened: one side of it is a class it names. */
export function replacementVisible(sourceClasses: string[], targetClasses: string[]): boolean {
  const removed = sourceClasses.filter((c) => !targetClasses.includes(c));
  const added = targetClasses.filter((c) => !sourceClasses.includes(c));
  return removed.some(named) || added.some(named);
}

function judgeable(pair: Pick<EditPair, 'kind' | 'sourceScene' | 'targetScene'>): boolean {
  if (pair.kind !== 'replace') return true;
  return replacementVisible(pair.sourceScene.objects.map((o) => o.classId), pair.targetScene.objects.map((o) => o.classId));
}

/** `perKind` pairs of each kind at the given size. */
export function editItems(perKind: number, size: { width: number; height: number }, seed = DEFAULT_PROMPT_SEED, kinds: readonly EditKind[] = EDIT_KINDS): EditItem[] {
  const out: EditItem[] = [];
  for (const kind of kinds) {
    let s = mixSeed(seed, hashString(kind));
    for (let i = 0; i < perKind; i++) {
      for (;;) {
        const pair = makeEditPair(s, { ...size, kind, split: 'heldout' });
        s = (s + 1) >>> 0;
        if (judgeable(pair)) {
          out.push({ id: `${kind}-${String(i).padStart(3, '0')}`, kind, seed: (s - 1) >>> 0 });
          break;
        }
      }
    }
  }
  return out;
}

export function editPairOf(item: EditItem, size: { width: number; height: number }): EditPair {
  return makeEditPair(item.seed, { ...size, kind: item.kind, split: 'heldout' });
}

function chainJudgeable(chain: EditChain): boolean {
  return chain.steps.every((st, r) => judgeable({ kind: st.kind, sourceScene: chain.scenes[r]!, targetScene: chain.scenes[r + 1]! }));
}

export function chainItems(n: number, size: { width: number; height: number }, seed = DEFAULT_PROMPT_SEED): ChainItem[] {
  const out: ChainItem[] = [];
  let s = mixSeed(seed, hashString('chain'));
  for (let i = 0; i < n; i++) {
    for (;;) {
      const chain = makeEditChain(s, { ...size, rounds: CHAIN_ROUNDS, split: 'heldout' });
      s = (s + 1) >>> 0;
      if (chainJudgeable(chain)) {
        out.push({ id: `chain-${String(i).padStart(3, '0')}`, seed: (s - 1) >>> 0 });
        break;
      }
    }
  }
  return out;
}

export function chainOf(item: ChainItem, size: { width: number; height: number }): EditChain {
  return makeEditChain(item.seed, { ...size, rounds: CHAIN_ROUNDS, split: 'heldout' });
}
