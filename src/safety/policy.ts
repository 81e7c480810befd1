// Per-deployment safety policy: which categories are filtered, at what score, and how far an
// API request's `moderation: "low"` may relax them. Zero-tolerance categories (minors) can be
// made stricter but never switched off or relaxed, by config or by request.
import { z } from 'zod';
import { CATEGORIES, type Category, ZERO_TOLERANCE } from './categories.ts';

export type Moderation = 'auto' | 'low';
export const MODERATION_LEVELS = ['auto', 'low'] as const;

/** Score at or above which a prompt is refused, by moderation level. */
export const DEFAULT_THRESHOLD = 0.5;
export const DEFAULT_LOW_THRESHOLD = 0.75;

const score = z.number().min(0).max(1);
const CategorySchema = z.strictObject({
  enabled: z.boolean().optional(),
  threshold: score.optional(),
  lowThreshold: score.optional(),
});

export const SafetyConfigSchema = z.strictObject({
  /** The moderation level used when a request does not say. */
  moderation: z.enum(MODERATION_LEVELS).optional(),
  categories: z.strictObject(Object.fromEntries(CATEGORIES.map((c) => [c, CategorySchema.optional()])) as Record<Category, z.ZodOptional<typeof CategorySchema>>).optional(),
  classifier: z
    .strictObject({
      /** Off leaves the lexicons and rules alone (for measurement, or a deployment without the weights). */
      enabled: z.boolean().optional(),
      weights: z.string().optional(),
    })
    .optional(),
  output: z
    .strictObject({
      enabled: z.boolean().optional(),
      /** nsfwjs probability of Porn + Hentai at or above which an image is refused. */
      nudityThreshold: score.optional(),
      lowNudityThreshold: score.optional(),
      /** nsfwjs "Sexy" (suggestive, not explicit) probability refused under moderation auto. */
      suggestiveThreshold: score.optional(),
      /** The low-structure rule (image-filter.ts, LOW_STRUCTURE); false decides every image by the thresholds above alone. */
      lowStructure: z.boolean().optional(),
      /** The skin-free rule (image-measures.ts, SKIN_FREE): colour pictures without skin tones get the low-structure thresholds; false turns it off. */
      skinFree: z.boolean().optional(),
    })
    .optional(),
  audit: z
    .strictObject({
      /** 'stderr' (default), 'none', or a file path that refusals are appended to as JSON lines. */
      sink: z.string().min(1).optional(),
    })
    .optional(),
});
export type SafetyConfig = z.infer<typeof SafetyConfigSchema>;

export interface CategoryPolicy {
  enabled: boolean;
  threshold: number;
  lowThreshold: number;
}

export interface SafetyPolicy {
  moderation: Moderation;
  categories: Record<Category, CategoryPolicy>;
  zeroTolerance: readonly Category[];
  classifier: { enabled: boolean; weights?: string };
  output: { enabled: boolean; nudityThreshold: number; lowNudityThreshold: number; suggestiveThreshold: number; lowStructure: boolean; skinFree: boolean };
  audit: { sink: string };
}

export class SafetyConfigError extends Error {
  override name = 'InputError';
}

/** Validates a deployment's safety config (the `safety` section of its config) and fills defaults. */
export function loadSafetyPolicy(config: unknown = {}): SafetyPolicy {
  const parsed = SafetyConfigSchema.safeParse(config ?? {});
  if (!parsed.success) throw new SafetyConfigError(`safety config: ${z.prettifyError(parsed.error)}`);
  const c = parsed.data;
  const categories = {} as Record<Category, CategoryPolicy>;
  for (const cat of CATEGORIES) {
    const given = c.categories?.[cat] ?? {};
    const zero = ZERO_TOLERANCE.includes(cat);
    const threshold = given.threshold ?? DEFAULT_THRESHOLD;
    if (zero) {
      if (given.enabled === false) throw new SafetyConfigError(`safety config: '${cat}' is a zero-tolerance category and cannot be disabled`);
      if (threshold > DEFAULT_THRESHOLD || (given.lowThreshold ?? 0) > DEFAULT_THRESHOLD) {
        throw new SafetyConfigError(`safety config: '${cat}' is a zero-tolerance category; its threshold can be lowered (stricter) but not raised above ${DEFAULT_THRESHOLD}`);
      }
    }
    // 'low' relaxes a threshold, never tightens it; for zero-tolerance categories it changes nothing.
    const lowThreshold = zero ? threshold : Math.max(threshold, given.lowThreshold ?? Math.max(DEFAULT_LOW_THRESHOLD, threshold));
    categories[cat] = { enabled: zero ? true : (given.enabled ?? true), threshold, lowThreshold };
  }
  const nudityThreshold = c.output?.nudityThreshold ?? 0.6;
  return {
    moderation: c.moderation ?? 'auto',
    categories,
    zeroTolerance: ZERO_TOLERANCE,
    classifier: { enabled: c.classifier?.enabled ?? true, ...(c.classifier?.weights ? { weights: c.classifier.weights } : {}) },
    output: {
      enabled: c.output?.enabled ?? true,
      nudityThreshold,
      lowNudityThreshold: Math.max(nudityThreshold, c.output?.lowNudityThreshold ?? 0.85),
      suggestiveThreshold: c.output?.suggestiveThreshold ?? 0.85,
      lowStructure: c.output?.lowStructure ?? true,
      skinFree: c.output?.skinFree ?? true,
    },
    audit: { sink: c.audit?.sink ?? 'stderr' },
  };
}

/** Parses a request's moderation field (the API's `moderation`), defaulting to the policy's. */
export function parseModeration(value: unknown, policy: SafetyPolicy): Moderation {
  if (value === undefined || value === null) return policy.moderation;
  if (value === 'auto' || value === 'low') return value;
  throw new SafetyConfigError(`moderation must be 'auto' or 'low', got ${JSON.stringify(value)}`);
}

export function thresholdFor(policy: SafetyPolicy, category: Category, moderation: Moderation): number {
  const p = policy.categories[category];
  if (policy.zeroTolerance.includes(category)) return p.threshold;
  return moderation === 'low' ? p.lowThreshold : p.threshold;
}
