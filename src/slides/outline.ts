// The Markdown outline a deck is made from: one `#` heading per slide, bullets under it (indent
// for sub-bullets), plain lines as body text, and `>` directive lines for what is not text:
//   > image: a red rocket over a green hill     the picture's prompt (else written from the text)
//   > layout: side | square | background | none
//   > notes: what the speaker wants in the notes
// Anything before the first heading (a deck title line, front matter) is ignored.
import { InputError } from '../errors.ts';

export const LAYOUT_NAMES = ['side', 'square', 'background', 'none'] as const;
export type LayoutName = (typeof LAYOUT_NAMES)[number];

export interface Bullet {
  text: string;
  /** 0 for a top-level bullet, 1 for one indented under it, … */
  level: number;
}

export interface OutlineSlide {
  title: string;
  bullets: Bullet[];
  body: string[];
  layout: LayoutName;
  /** The image prompt: the `> image:` line, or written from the heading and bullets. */
  prompt?: string;
  promptFromOutline: boolean;
  notes: string[];
}

/** Prompts written from slide text stay short: the model reads the start of a prompt most. */
const MAX_DERIVED_PROMPT_CHARS = 300;
export const MAX_SLIDES = 200;

export function parseOutline(text: string, what = 'outline'): OutlineSlide[] {
  const slides: (Omit<OutlineSlide, 'layout' | 'promptFromOutline'> & { layout?: LayoutName; line: number })[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let inFence = false;
  lines.forEach((raw, i) => {
    const where = `${what} line ${i + 1}`;
    if (/^\s*(```|~~~)/.test(raw)) inFence = !inFence;
    if (inFence) return;
    const heading = /^#\s+(.*?)\s*#*\s*$/.exec(raw);
    if (heading) {
      if (!heading[1]) throw new InputError(`${where}: a slide heading is empty`);
      slides.push({ title: heading[1], bullets: [], body: [], notes: [], line: i + 1 });
      return;
    }
    const slide = slides[slides.length - 1];
    if (!slide || raw.trim() === '' || /^\s*(---+|\*\*\*+)\s*$/.test(raw)) return;
    const directive = /^\s*>\s*([a-z]+)\s*:\s*(.*?)\s*$/i.exec(raw);
    if (directive) {
      const key = directive[1]!.toLowerCase();
      const value = directive[2]!;
      if (key === 'image' || key === 'prompt') {
        if (!value) throw new InputError(`${where}: the image prompt is empty`);
        slide.prompt = value;
      } else if (key === 'layout') {
        const name = value.toLowerCase();
        if (!(LAYOUT_NAMES as readonly string[]).includes(name)) throw new InputError(`${where}: layout must be one of ${LAYOUT_NAMES.join(', ')}, got '${value}'`);
        slide.layout = name as LayoutName;
      } else if (key === 'notes' || key === 'note') {
        slide.notes.push(value);
      } else {
        throw new InputError(`${where}: unknown directive '> ${directive[1]}:' (use image, layout or notes)`);
      }
      return;
    }
    const bullet = /^(\s*)(?:[-*+]|\d+[.)])\s+(.*)$/.exec(raw);
    if (bullet) {
      const indent = bullet[1]!.replace(/\t/g, '  ').length;
      slide.bullets.push({ text: bullet[2]!.trim(), level: Math.min(4, Math.floor(indent / 2)) });
      return;
    }
    if (/^#{2,}\s/.test(raw)) {
      slide.body.push(raw.replace(/^#+\s*/, '').trim());
      return;
    }
    slide.body.push(raw.trim());
  });
  if (inFence) throw new InputError(`${what}: a code fence is not closed`);
  if (slides.length === 0) throw new InputError(`${what} has no slides: start each slide with a '# Heading' line`);
  if (slides.length > MAX_SLIDES) throw new InputError(`${what} has ${slides.length} slides; at most ${MAX_SLIDES}`);
  return slides.map(({ line: _line, ...s }) => {
    const hasText = s.bullets.length > 0 || s.body.length > 0;
    const layout = s.layout ?? (hasText ? 'side' : 'background');
    const promptFromOutline = s.prompt !== undefined;
    const prompt = layout === 'none' ? undefined : (s.prompt ?? derivePrompt(s.title, s.bullets, s.body));
    return { ...s, layout, prompt, promptFromOutline };
  });
}

/** "Heading: first bullet, second bullet" without Markdown emphasis, cut at a word boundary. */
export function derivePrompt(title: string, bullets: Bullet[], body: string[]): string {
  const parts = [...bullets.filter((b) => b.level === 0).map((b) => b.text), ...body].map(plainText).filter(Boolean);
  let prompt = plainText(title);
  if (parts.length) prompt += `: ${parts.join(', ')}`;
  if (prompt.length <= MAX_DERIVED_PROMPT_CHARS) return prompt;
  const cut = prompt.slice(0, MAX_DERIVED_PROMPT_CHARS);
  return cut.slice(0, Math.max(cut.lastIndexOf(' '), 1)).replace(/[,:;]$/, '');
}

/** Markdown inline syntax removed: emphasis, code ticks, links keep their text. */
export function plainText(s: string): string {
  return s
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/(\*\*|__|\*|_|`)(.+?)\1/g, '$2')
    .replace(/\s+/g, ' ')
    .trim();
}
