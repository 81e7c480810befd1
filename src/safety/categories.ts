// The harm categories every safety layer speaks in. One list, so the prompt filter, the
// output filter, the policy file and the red-team report cannot drift apart.
export const CATEGORIES = ['sexual', 'minors', 'violence', 'self_harm', 'hate', 'public_figures', 'trademarks'] as const;
export type Category = (typeof CATEGORIES)[number];

/** Categories that no deployment setting and no `moderation: low` request may relax. */
export const ZERO_TOLERANCE: readonly Category[] = ['minors'];

/** Human wording for refusal messages and reports. */
export const CATEGORY_LABELS: Record<Category, string> = {
  sexual: 'sexual content',
  minors: 'sexual content involving minors',
  violence: 'violent or gory content',
  self_harm: 'self-harm',
  hate: 'hateful content',
  public_figures: 'depictions of real public figures',
  trademarks: 'trademarked or protected characters and logos',
};

export function isCategory(x: string): x is Category {
  return (CATEGORIES as readonly string[]).includes(x);
}

export function zeroScores(): Record<Category, number> {
  return Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>;
}
