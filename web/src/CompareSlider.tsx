import { useState } from 'react';
import { HistoryImage } from './useBlobUrl.tsx';

/** The version before an edit over the one after, split where the slider says. */
export function CompareSlider({ before, after }: { before: string; after: string }) {
  const [at, setAt] = useState(50);
  return (
    <div className="compare" data-testid="compare">
      <HistoryImage id={after} alt="after the edit" className="layer" />
      <div className="layer before" style={{ clipPath: `inset(0 ${100 - at}% 0 0)` }}>
        <HistoryImage id={before} alt="before the edit" />
      </div>
      <div className="divider" style={{ left: `${at}%` }} aria-hidden="true" />
      <label className="compare-range">
        Before / after
        <input type="range" min={0} max={100} value={at} onChange={(e) => setAt(Number(e.target.value))} />
      </label>
    </div>
  );
}
