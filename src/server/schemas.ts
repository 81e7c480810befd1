// Request bodies of the Images API, as zod schemas. The same schemas validate requests and
// describe them in /openapi.json. Parameters OpenAI defines that flowpaint cannot honour are
// accepted where ignoring them is harmless (style) and refused where it would mislead
// (a transparent background).
import { z } from 'zod';

/** Far above the model's 32,768-token prompt limit (which the pipeline checks); bounds memory. */
export const PROMPT_MAX_CHARS = 262_144;

const nullable = <T extends z.ZodType>(t: T) => t.nullable().optional();

const GUIDANCE_DESCRIPTION =
  'flowpaint extension: the text guidance scale, 0–30 (default: the model\'s own measured scale, else 4). '
  + 'With quality "low", a Flash student distilled over a range of scales takes it as an input, only within that range (else 400), '
  + 'and one with its scale baked in draws at that scale. A model without text guidance (FLUX.2 [klein]) refuses it with 400.';

const ImageParams = {
  prompt: z.string().min(1, 'prompt must not be empty').max(PROMPT_MAX_CHARS).describe('What to draw, or (edits) what to change.'),
  model: nullable(z.string()).describe('The served model id; OpenAI model names are accepted as aliases.'),
  n: nullable(z.number().int().min(1).max(10)).describe('Number of images (the server may allow fewer).'),
  size: nullable(z.string()).describe('"WIDTHxHEIGHT" with sides multiples of 16, at least 64, at most 1,048,576 pixels; or "auto".'),
  quality: nullable(z.enum(['low', 'medium', 'high', 'auto', 'standard', 'hd'])).describe('low = the few-step sampler; medium/high = more steps; standard/hd are dall-e-3 names for medium/high.'),
  output_format: nullable(z.enum(['png', 'jpeg', 'webp'])),
  output_compression: nullable(z.number().int().min(0).max(100)).describe('JPEG/WebP quality, 0–100.'),
  response_format: nullable(z.enum(['b64_json', 'url'])).describe('url: a link into the server\'s own store that expires.'),
  stream: nullable(z.boolean()).describe('Server-sent events: partial images, then the completed image(s).'),
  partial_images: nullable(z.number().int().min(0).max(3)),
  user: z.string().max(256).optional(),
  moderation: nullable(z.enum(['auto', 'low'])),
  background: nullable(z.enum(['auto', 'opaque', 'transparent'])),
  style: nullable(z.enum(['vivid', 'natural'])).describe('Accepted for dall-e-3 clients; has no effect.'),
  seed: z.number().int().min(0).max(2 ** 32 - 1).optional().describe('flowpaint extension: a fixed seed for reproducible images.'),
  guidance: z.number().min(0).max(30).optional().describe(GUIDANCE_DESCRIPTION),
};

export const GenerateBody = z.strictObject(ImageParams);
export type GenerateBody = z.infer<typeof GenerateBody>;

const ImageRef = z.union([
  z.string().describe('base64 bytes or a data: URL'),
  z.strictObject({ image_url: z.string().describe('a data: URL') }),
]);

/** One source image per edit: `image` (a reference or a one-item array) or `images` (one item). */
const OneImageRef = z.array(ImageRef).min(1, 'flowpaint edits one image per request; got none').max(1, 'flowpaint edits one image per request');

export const EditJsonBody = z
  .strictObject({
    ...ImageParams,
    image: z.union([ImageRef, OneImageRef]).optional(),
    images: OneImageRef.optional(),
    mask: ImageRef.optional(),
    input_fidelity: nullable(z.enum(['high', 'low'])),
  });
export type EditJsonBody = z.infer<typeof EditJsonBody>;

/** Multipart text fields arrive as strings; numbers and booleans are converted before validation. */
export const EditFormFields = z
  .strictObject({
    ...ImageParams,
    n: nullable(z.coerce.number().int().min(1).max(10)),
    output_compression: nullable(z.coerce.number().int().min(0).max(100)),
    partial_images: nullable(z.coerce.number().int().min(0).max(3)),
    seed: z.coerce.number().int().min(0).max(2 ** 32 - 1).optional(),
    guidance: z.coerce.number().min(0).max(30).optional().describe(GUIDANCE_DESCRIPTION),
    stream: nullable(z.enum(['true', 'false']).transform((v) => v === 'true')),
    input_fidelity: nullable(z.enum(['high', 'low'])),
  });
export type EditFormFields = z.infer<typeof EditFormFields>;

/** The multipart body as documented (files are binary strings in OpenAPI). */
export const EditMultipartDoc = z
  .object({
    ...EditFormFields.shape,
    image: z.string().describe('The image to edit (binary). Also accepted as image[] with one file.'),
    mask: z.string().optional().describe('PNG whose transparent pixels mark the area to change (binary); without alpha, white marks it.'),
  });

export const ErrorBody = z
  .object({
    error: z.object({
      message: z.string(),
      type: z.string(),
      param: z.string().nullable(),
      code: z.string().nullable(),
    }),
  });

const Usage = z.object({
  input_tokens: z.number().int(),
  input_tokens_details: z.object({ text_tokens: z.number().int(), image_tokens: z.number().int() }),
  output_tokens: z.number().int(),
  output_tokens_details: z.object({ text_tokens: z.number().int(), image_tokens: z.number().int() }),
  total_tokens: z.number().int(),
});

const OutputFormatEnum = z.enum(['png', 'jpeg', 'webp']);
const QualityLevel = z.enum(['low', 'medium', 'high']);

export const ImagesResponse = z
  .object({
    created: z.number().int(),
    data: z.array(z.object({ b64_json: z.string().optional(), url: z.string().optional(), revised_prompt: z.string().optional() })),
    usage: Usage,
    output_format: OutputFormatEnum,
    size: z.string(),
    quality: QualityLevel,
    background: z.literal('opaque'),
  });

// The data of the server-sent events of a streamed request (`stream: true`), in OpenAI's shapes.
// sse.ts builds its events as these types, and /openapi.json describes them from these schemas.
const StreamedImage = {
  b64_json: z.string().describe('The image, base64-encoded'),
  created_at: z.number().int(),
  size: z.string(),
  quality: QualityLevel,
  background: z.literal('opaque'),
  output_format: OutputFormatEnum,
};
const partialEvent = <T extends string>(type: T) =>
  z.strictObject({ type: z.literal(type), ...StreamedImage, partial_image_index: z.number().int().min(0) });
const completedEvent = <T extends string>(type: T) => z.strictObject({ type: z.literal(type), ...StreamedImage, usage: Usage });

export const ImageGenPartialImageEvent = partialEvent('image_generation.partial_image');
export const ImageGenCompletedEvent = completedEvent('image_generation.completed');
export const ImageEditPartialImageEvent = partialEvent('image_edit.partial_image');
export const ImageEditCompletedEvent = completedEvent('image_edit.completed');
