import { useState } from 'react';
import type { Quality, ServerConfig } from './api.ts';

/** The guidance scale a form sends: empty means the model's own (the server's default). */
export interface Guidance {
  text: string;
  setText: (text: string) => void;
  /** Why the typed scale cannot be sent, or null. */
  problem: string | null;
  /** The range fast mode's Flash takes, when the chosen quality is fast. */
  fastRange: [number, number] | null;
  /** What to add to the request's parameters. */
  params: { guidance?: number };
}

export function useGuidance(config: ServerConfig, quality: Quality): Guidance {
  const [text, setText] = useState('');
  // A fast request to a Flash distilled over a range of scales takes only a scale inside it.
  const fastRange = config.quality[quality].fast ? config.guidance?.fastRange ?? null : null;
  const given = config.guidance !== null && text.trim() !== '';
  const problem = given ? guidanceProblemOf(Number(text), fastRange) : null;
  return { text, setText, problem, fastRange, params: given && !problem ? { guidance: Number(text) } : {} };
}

/** The Guidance input with its warning or fast-mode hint; nothing when the model takes no scale. */
export function GuidanceField({ config, guidance }: { config: ServerConfig; guidance: Guidance }) {
  if (!config.guidance) return null;
  return (
    <>
      <label>Guidance
        <input type="number" className="guidance" step={0.5} min={0} max={30} value={guidance.text} placeholder={`model default (${config.guidance.default})`} onChange={(e) => guidance.setText(e.target.value)} />
      </label>
      {guidance.problem && <p className="warn" role="status">{guidance.problem}</p>}
      {guidance.fastRange && !guidance.problem && <p className="hint" data-testid="guidance-note">fast mode accepts {guidance.fastRange[0]}–{guidance.fastRange[1]}</p>}
    </>
  );
}

/** Why a guidance scale cannot be sent: outside 0–30, or outside the range fast mode's Flash takes. */
function guidanceProblemOf(g: number, fastRange: [number, number] | null): string | null {
  if (!Number.isFinite(g) || g < 0 || g > 30) return 'guidance must be a number from 0 to 30';
  if (fastRange && (g < fastRange[0] || g > fastRange[1])) return `fast mode accepts guidance ${fastRange[0]}–${fastRange[1]}: choose a scale in it, or a higher quality`;
  return null;
}
