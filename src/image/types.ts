// The image containers every layer passes around: the data generator draws them, the model
// patchifies them, the pipeline decodes, edits and encodes them, the safety filter screens them
// and the server streams them. Declared once here so that an image is the same thing everywhere.

/** 8-bit RGB, rows top to bottom, channels interleaved (HWC): data.length === width * height * 3. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** One byte per pixel: 0 keeps the pixel, 255 marks the region an edit may change. */
export interface Mask {
  width: number;
  height: number;
  data: Uint8Array;
}
