// A folder of images, each with a caption in a same-named .txt file (cat.png + cat.txt).
// Subfolders are read too, so a dataset can be organised by source or topic.
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { DataFileError } from './errors.ts';
import { IMAGE_EXTENSIONS } from './decode.ts';

export interface FolderItem {
  image: string;
  captionFile: string;
  caption: string;
}

export interface ScannedFolder {
  items: FolderItem[];
  errors: DataFileError[];
}

async function walk(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DataFileError({ file: dir }, code === 'ENOENT' ? 'folder not found' : `cannot read folder (${code})`);
  }
  const out: string[] = [];
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else out.push(p);
  }
  return out;
}

export async function scanFolder(dir: string): Promise<ScannedFolder> {
  const files = await walk(dir);
  const present = new Set(files);
  const items: FolderItem[] = [];
  const errors: DataFileError[] = [];
  for (const image of files) {
    if (!IMAGE_EXTENSIONS.includes(extname(image).toLowerCase())) continue;
    const captionFile = image.slice(0, image.length - extname(image).length) + '.txt';
    if (!present.has(captionFile)) {
      errors.push(new DataFileError({ file: image }, `no caption file (expected ${captionFile})`));
      continue;
    }
    let caption: string;
    try {
      caption = (await readFile(captionFile, 'utf8')).trim();
    } catch (err) {
      errors.push(new DataFileError({ file: captionFile }, `cannot read caption (${(err as NodeJS.ErrnoException).code})`));
      continue;
    }
    if (caption.length === 0) {
      errors.push(new DataFileError({ file: captionFile }, 'caption is empty'));
      continue;
    }
    items.push({ image, captionFile, caption });
  }
  if (items.length === 0 && errors.length === 0) {
    throw new DataFileError({ file: dir }, `no images found (looked for ${IMAGE_EXTENSIONS.join(' ')} with .txt captions)`);
  }
  return { items, errors };
}
