// Making a deck from an outline with a pipeline: a picture per slide at its layout's aspect ratio,
// or — given the deck made before — one slide's picture regenerated or edited while every other
// slide keeps its picture's bytes (and so its slide XML, notes and media, byte for byte).
import { randomInt } from 'node:crypto';
import { InputError } from '../errors.ts';
import { decodeImage, DEFAULT_STEPS, encodeImage, FAST_STEPS, type GeneratedImage, type Pipeline } from '../pipeline/index.ts';
import { buildDeck, deckPictures, pictureHistory, readDeckParts, type SlidePicture } from './deck.ts';
import { imageSizeFor, LAYOUTS } from './layout.ts';
import type { OutlineSlide } from './outline.ts';

export interface MakeDeckOptions {
  slides: OutlineSlide[];
  /** The deck made before: needed by `regenerate` and `edit`, which keep its other pictures. */
  previous?: Uint8Array;
  /** 1-based slide number whose picture is drawn again (with a new seed unless `seed` is given). */
  regenerate?: number;
  /** 1-based slide number whose picture is edited by instruction. */
  edit?: { slide: number; instruction: string };
  /** The first slide's seed (slide i gets seed + i − 1); for regenerate/edit, that slide's seed. */
  seed?: number;
  steps?: number;
  guidance?: number;
  fast?: boolean;
  title?: string;
  onStep?: () => void;
  /** A line per slide as its picture starts (for the CLI's stderr). */
  onSlide?: (slide: number, what: string) => void;
}

export interface MadeDeck {
  deck: Uint8Array;
  /** Slide numbers (1-based) whose picture was made by this call. */
  made: number[];
  /** Per slide: the picture kept from the previous deck, if it was. */
  kept: number[];
  warnings: string[];
}

/** How many slides will get a new picture, so a caller can size a progress bar before any work. */
export function slidesToMake(o: Pick<MakeDeckOptions, 'slides' | 'regenerate' | 'edit'>): number[] {
  if (o.regenerate !== undefined) return [o.regenerate];
  if (o.edit) return [o.edit.slide];
  return o.slides.flatMap((s, i) => (s.prompt !== undefined ? [i + 1] : []));
}

export async function makeDeck(pipe: Pipeline, o: MakeDeckOptions): Promise<MadeDeck> {
  const { slides } = o;
  if (o.regenerate !== undefined && o.edit) throw new InputError('give --regenerate or --edit, not both');
  const target = o.regenerate ?? o.edit?.slide;
  const steps = o.steps ?? (o.fast ? FAST_STEPS : DEFAULT_STEPS);
  const warnings: string[] = [];
  let pictures: (SlidePicture | undefined)[] = slides.map(() => undefined);
  const kept: number[] = [];
  if (target !== undefined) {
    if (!Number.isInteger(target) || target < 1 || target > slides.length) throw new InputError(`slide ${target} does not exist: the outline has ${slides.length} slides`);
    if (slides[target - 1]!.prompt === undefined) throw new InputError(`slide ${target} has no picture (its layout is 'none')`);
    if (!o.previous) throw new InputError(`--regenerate and --edit change a deck made before: the output deck does not exist yet`);
    const old = deckPictures(await readDeckParts(o.previous, 'the existing deck'));
    if (old.length !== slides.length) throw new InputError(`the existing deck has ${old.length} slides but the outline has ${slides.length}; make the whole deck again (without --regenerate/--edit)`);
    if (o.edit && !old[target - 1]) throw new InputError(`slide ${target} of the existing deck has no picture to edit; use --regenerate ${target}`);
    pictures = await Promise.all(
      old.map(async (png, i) => {
        if (!png || slides[i]!.prompt === undefined) return undefined;
        if (i + 1 !== target) {
          kept.push(i + 1);
          const first = pictureHistory(png)[0];
          if (slides[i]!.promptFromOutline && first?.prompt !== undefined && first.prompt !== slides[i]!.prompt) {
            warnings.push(`slide ${i + 1}: the outline's image prompt changed; its picture is kept (use --regenerate ${i + 1} to draw it again)`);
          }
        }
        const meta = await decodeImage(png, `slide ${i + 1}'s picture`);
        return { png, width: meta.width, height: meta.height };
      }),
    );
  }
  const made = slidesToMake(o);
  const base = o.seed ?? randomInt(0, 2 ** 31);
  for (const n of made) {
    const slide = slides[n - 1]!;
    const seed = target !== undefined ? base : (base + n - 1) >>> 0;
    let image: GeneratedImage;
    let parent: Uint8Array | undefined;
    if (o.edit) {
      parent = pictures[n - 1]!.png;
      o.onSlide?.(n, `editing: ${o.edit.instruction}`);
      const source = await decodeImage(parent, `slide ${n}'s picture`);
      [image] = (await pipe.edit({ image: source, instruction: o.edit.instruction, seed, steps, guidance: o.guidance, fast: o.fast, onStep: o.onStep })) as [GeneratedImage];
      const params = JSON.parse(image.metadata['flowpaint:parameters']!) as Record<string, unknown>;
      image.metadata['flowpaint:history'] = JSON.stringify([...pictureHistory(parent), params]);
      image.provenance = { ...image.provenance, parent: { bytes: parent, title: `slide-${n}.png` } };
    } else {
      const sizes = pipe.info.sizes;
      const size = imageSizeFor(LAYOUTS[slide.layout].aspect, sizes.native.width * sizes.native.height, sizes.buckets);
      o.onSlide?.(n, `drawing ${size.width}x${size.height}: ${slide.prompt}`);
      [image] = (await pipe.generate({ prompt: slide.prompt!, ...size, seed, steps, guidance: o.guidance, fast: o.fast, onStep: o.onStep })) as [GeneratedImage];
    }
    const png = await encodeImage(image.image, { format: 'png', metadata: image.metadata, provenance: image.provenance });
    pictures[n - 1] = { png, width: image.image.width, height: image.image.height };
  }
  return { deck: await buildDeck(slides, pictures, o.title), made, kept, warnings };
}
