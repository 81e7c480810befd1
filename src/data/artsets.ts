// The art sets objects are drawn from: Iconify JSON packages installed from npm. Their SVGs
// are read from node_modules (never fetched at run time) and each set's look becomes a
// style word in captions, so "a cat in flat style" and "a cat in outlined style" differ.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface ArtSet {
  id: ArtSetId;
  /** npm package the SVGs come from. */
  packageName: string;
  /** How the set looks, as said in captions. */
  style: string;
  /** Human name and licence, repeated in DATA.md. */
  title: string;
  license: string;
  attribution: string;
}

export const ART_SET_IDS = ['fluent-emoji-flat', 'noto', 'twemoji', 'openmoji'] as const;
export type ArtSetId = (typeof ART_SET_IDS)[number];

export const ART_SETS: Readonly<Record<ArtSetId, ArtSet>> = {
  'fluent-emoji-flat': {
    id: 'fluent-emoji-flat',
    packageName: '@iconify-json/fluent-emoji-flat',
    style: 'flat',
    title: 'Fluent Emoji Flat',
    license: 'MIT',
    attribution: 'Microsoft Corporation, https://github.com/microsoft/fluentui-emoji',
  },
  noto: {
    id: 'noto',
    packageName: '@iconify-json/noto',
    style: 'glossy',
    title: 'Noto Emoji',
    license: 'Apache-2.0',
    attribution: 'Google Inc., https://github.com/googlefonts/noto-emoji',
  },
  twemoji: {
    id: 'twemoji',
    packageName: '@iconify-json/twemoji',
    style: 'simple',
    title: 'Twemoji',
    license: 'CC-BY-4.0',
    attribution: 'Twitter, Inc. and other contributors, https://github.com/jdecked/twemoji',
  },
  openmoji: {
    id: 'openmoji',
    packageName: '@iconify-json/openmoji',
    style: 'outlined',
    title: 'OpenMoji',
    license: 'CC-BY-SA-4.0',
    attribution: 'OpenMoji, the open-source emoji and icon project, https://openmoji.org',
  },
};

export function artSetByStyle(style: string): ArtSet | undefined {
  return Object.values(ART_SETS).find((s) => s.style === style);
}

interface IconifyIcon {
  body: string;
  width?: number;
  height?: number;
  left?: number;
  top?: number;
}

interface IconifyJson {
  prefix: string;
  icons: Record<string, IconifyIcon>;
  aliases?: Record<string, { parent: string } & Record<string, unknown>>;
  width?: number;
  height?: number;
}

const require = createRequire(import.meta.url);
const loaded = new Map<ArtSetId, IconifyJson>();

// Sets are parsed on first use: the largest (Noto) is 25 MB of JSON, so a process that only
// draws from one set should not pay for the others.
function loadSet(id: ArtSetId): IconifyJson {
  let json = loaded.get(id);
  if (!json) {
    const path = require.resolve(`${ART_SETS[id].packageName}/icons.json`);
    json = JSON.parse(readFileSync(path, 'utf8')) as IconifyJson;
    loaded.set(id, json);
  }
  return json;
}

/** A standalone SVG document for one icon of one set, square viewBox as the set defines it. */
export function iconSvg(set: ArtSetId, icon: string): string {
  const json = loadSet(set);
  let name = icon;
  for (let hops = 0; !json.icons[name]; hops++) {
    const alias = json.aliases?.[name];
    if (!alias || hops > 8) throw new RangeError(`icon "${icon}" is not in ${ART_SETS[set].packageName}`);
    // Transforming aliases (flips, rotations) would need their own handling; the catalogue
    // only uses plain ones, and a test checks that every class resolves here.
    if (Object.keys(alias).some((k) => k !== 'parent')) {
      throw new RangeError(`icon "${icon}" in ${ART_SETS[set].packageName} is a transformed alias`);
    }
    name = alias.parent;
  }
  const ic = json.icons[name]!;
  const w = ic.width ?? json.width ?? 16;
  const h = ic.height ?? json.height ?? 16;
  return `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="${ic.left ?? 0} ${ic.top ?? 0} ${w} ${h}" width="${w}" height="${h}">${ic.body}</svg>`;
}
