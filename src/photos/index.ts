// A photo library over a folder: index, thumbnails, versions with history, resumable batch edits.
// Originals are only read; everything the library writes lives in DIR/.flowpaint/.
export * from './store.ts';
export * from './batch.ts';
export { exifForVersion, hasLocation } from './exif.ts';
