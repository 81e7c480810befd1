// What every layer returns (a decision) and throws (a refusal). The CLI maps the error's name to
// exit code 3 (src/cli/errors.ts); the API answers 400 with `refusalResponse`. The message names
// the category and the stage, never the text or image that was refused.
import { CATEGORY_LABELS, type Category } from './categories.ts';
import type { Moderation } from './policy.ts';

export type SafetyStage = 'prompt' | 'input-image' | 'output-image';

export interface SafetyDecision {
  allowed: boolean;
  stage: SafetyStage;
  /** The category that decided a refusal, or the highest-scoring one when allowed (null if none scored). */
  category: Category | null;
  score: number;
  threshold: number;
  /** Which layer decided, without the offending text: 'lexicon', 'names-list', 'rule:<id>', 'classifier', 'nsfwjs:<class>'. */
  reason: string;
  scores: Partial<Record<Category, number>>;
  moderation: Moderation;
}

const STAGE_WORDS: Record<SafetyStage, string> = {
  prompt: 'The prompt',
  'input-image': 'The input image',
  'output-image': 'The generated image',
};

export function refusalMessage(stage: SafetyStage, category: Category): string {
  return `${STAGE_WORDS[stage]} was refused by the content policy: ${CATEGORY_LABELS[category]} (category: ${category}).`;
}

export class SafetyRefusal extends Error {
  override name = 'SafetyRefusal' as const;
  /** The API error code, as the OpenAI Images API spells it. */
  readonly code = 'content_policy_violation' as const;
  readonly category: Category;
  readonly stage: SafetyStage;
  readonly decision: SafetyDecision;

  constructor(decision: SafetyDecision) {
    if (decision.allowed || decision.category === null) throw new Error('SafetyRefusal: built from a decision that allows the request');
    super(refusalMessage(decision.stage, decision.category));
    this.category = decision.category;
    this.stage = decision.stage;
    this.decision = decision;
  }
}

export function isSafetyRefusal(err: unknown): err is SafetyRefusal {
  return err instanceof Error && err.name === 'SafetyRefusal' && 'category' in err && 'stage' in err;
}

/** The HTTP answer for a refusal: status 400 and an OpenAI-style error body. */
export function refusalResponse(err: SafetyRefusal): { status: 400; body: { error: { code: 'content_policy_violation'; type: 'invalid_request_error'; message: string; param: string; category: Category } } } {
  return {
    status: 400,
    body: {
      error: {
        code: 'content_policy_violation',
        type: 'invalid_request_error',
        message: err.message,
        param: err.stage === 'prompt' ? 'prompt' : err.stage === 'input-image' ? 'image' : 'prompt',
        category: err.category,
      },
    },
  };
}
