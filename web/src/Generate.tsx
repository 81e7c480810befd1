import { useEffect, useRef, useState } from 'react';
import { generate, saveHistory, type HistoryItem, type Quality, type ServerConfig } from './api.ts';
import { ErrorBox } from './ErrorBox.tsx';
import { GuidanceField, useGuidance } from './GuidanceField.tsx';
import { areaPresets, aspectOf, aspectsFor, randomSeed, sizeFor, sizeNote, sizeProblem } from './sizes.ts';
import { HistoryImage, useBlobUrl } from './useBlobUrl.tsx';

interface Props {
  config: ServerConfig;
  onSaved: (items: HistoryItem[]) => void;
  onEdit: (id: string) => void;
}

export function Generate({ config, onSaved, onEdit }: Props) {
  // The size starts at what the server draws by default (the model's native size), learnt from
  // /playground/api/config; if the model is still loading, it is set when the config says.
  const start = config.defaultSize;
  const native = config.sizes?.native ?? null;
  const [prompt, setPrompt] = useState('');
  const [aspect, setAspect] = useState<string>(start ? aspectOf(start) : '1:1');
  const [area, setArea] = useState<number>(start ? start.width * start.height : 256 * 256);
  const [custom, setCustom] = useState(false);
  const [width, setWidth] = useState(start?.width ?? 256);
  const [height, setHeight] = useState(start?.height ?? 256);
  const sizeTouched = useRef(Boolean(start));
  useEffect(() => {
    if (!start || sizeTouched.current) return;
    sizeTouched.current = true;
    setAspect(aspectOf(start));
    setArea(start.width * start.height);
    setWidth(start.width);
    setHeight(start.height);
  }, [start]);
  const presets = areaPresets(native, config.maxPixels);
  // The server's default size may be none of the presets (a configured defaultSize): offer it too.
  if (start && !presets.some((p) => p.pixels === start.width * start.height)) presets.unshift({ label: `server default (${start.width}×${start.height})`, pixels: start.width * start.height });
  const aspects = aspectsFor(start ?? native);
  // What the API's "auto" draws: a first try should look its best.
  const [quality, setQuality] = useState<Quality>('medium');
  const guidance = useGuidance(config, quality);
  const [seed, setSeed] = useState(randomSeed);
  const [newSeedEachTime, setNewSeedEachTime] = useState(true);
  const [n, setN] = useState(1);
  const [previews, setPreviews] = useState(2);
  const [busy, setBusy] = useState(false);
  const [partial, setPartial] = useState<{ blob: Blob; index: number } | null>(null);
  const [previewsSeen, setPreviewsSeen] = useState(0);
  const [results, setResults] = useState<HistoryItem[]>([]);
  const [error, setError] = useState<unknown>(null);
  const abort = useRef<AbortController | null>(null);
  const partialUrl = useBlobUrl(partial?.blob);

  const size = custom ? { width, height } : sizeFor(aspect, area, config);
  const problem = sizeProblem(size.width, size.height, config);
  const note = problem ? null : sizeNote(size, native);
  const canRun = !busy && prompt.trim().length > 0 && !problem && !guidance.problem;

  async function run() {
    if (!canRun) return;
    const useSeed = newSeedEachTime ? randomSeed() : seed;
    setSeed(useSeed);
    setBusy(true);
    setError(null);
    setPartial(null);
    setPreviewsSeen(0);
    abort.current = new AbortController();
    const params = { size: `${size.width}x${size.height}`, quality, seed: useSeed, ...guidance.params, n, partial_images: previews };
    try {
      const blobs = await generate(prompt, params, { onPartial: (blob, index) => { setPartial({ blob, index }); setPreviewsSeen((k) => k + 1); }, signal: abort.current.signal });
      // The server gives image i the seed seed + i; each history entry records its own.
      const saved = await Promise.all(blobs.map((b, i) => saveHistory(b, { kind: 'generate', prompt, params: { ...params, n: 1, seed: useSeed + i } })));
      setResults(saved);
      onSaved(saved);
    } catch (err) {
      if ((err as Error).name !== 'AbortError') setError(err);
    } finally {
      setBusy(false);
      setPartial(null);
    }
  }

  return (
    <section aria-labelledby="generate-title" className="panel">
      <h2 id="generate-title">Generate</h2>
      <form onSubmit={(e) => { e.preventDefault(); void run(); }} className="controls">
        <label className="wide">
          Prompt
          <textarea
            value={prompt}
            onChange={(e) => setPrompt(e.target.value)}
            rows={4}
            placeholder="a red apple left of a cat on a blue background"
            onKeyDown={(e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); void run(); } }}
            aria-describedby="prompt-hint"
          />
        </label>
        <small id="prompt-hint" className="wide">Long prompts are fine (up to 32,768 tokens). Ctrl+Enter generates. {prompt.length.toLocaleString('en-US')} characters.</small>
        <fieldset>
          <legend>Size</legend>
          <label><input type="checkbox" checked={custom} onChange={(e) => setCustom(e.target.checked)} /> Exact width and height</label>
          {custom ? (
            <>
              <label>Width <input type="number" step={config.sideMultiple} min={config.minSide} value={width} onChange={(e) => setWidth(Number(e.target.value))} /></label>
              <label>Height <input type="number" step={config.sideMultiple} min={config.minSide} value={height} onChange={(e) => setHeight(Number(e.target.value))} /></label>
            </>
          ) : (
            <>
              <label>Aspect ratio
                <select value={aspect} onChange={(e) => setAspect(e.target.value)}>{aspects.map((a) => <option key={a}>{a}</option>)}</select>
              </label>
              <label>Resolution
                <select value={area} onChange={(e) => setArea(Number(e.target.value))}>{presets.map((a) => <option key={a.pixels} value={a.pixels}>{a.label}</option>)}</select>
              </label>
            </>
          )}
          <output data-testid="size">{size.width}×{size.height} = {(size.width * size.height).toLocaleString('en-US')} px of {config.maxPixels.toLocaleString('en-US')}</output>
          {problem && <p className="warn" role="status">{problem}</p>}
          {note && <p className="hint" data-testid="size-note">{note}</p>}
        </fieldset>
        <fieldset>
          <legend>Sampling</legend>
          <label>Quality
            <select value={quality} onChange={(e) => setQuality(e.target.value as Quality)}>
              {(['low', 'medium', 'high'] as const).map((q) => <option key={q} value={q}>{q} ({config.quality[q].steps} steps{config.quality[q].fast ? ', fast' : ''})</option>)}
            </select>
          </label>
          <GuidanceField config={config} guidance={guidance} />
          <label>Seed <input type="number" min={0} value={seed} onChange={(e) => { setSeed(Number(e.target.value)); setNewSeedEachTime(false); }} /></label>
          <button type="button" onClick={() => setSeed(randomSeed())} aria-label="Re-roll seed">Re-roll</button>
          <label><input type="checkbox" checked={newSeedEachTime} onChange={(e) => setNewSeedEachTime(e.target.checked)} /> New seed each time</label>
          <label>Images
            <select value={n} onChange={(e) => setN(Number(e.target.value))}>{Array.from({ length: config.maxImages }, (_, i) => <option key={i + 1}>{i + 1}</option>)}</select>
          </label>
          <label>Previews while working
            <select value={previews} onChange={(e) => setPreviews(Number(e.target.value))}>{[0, 1, 2, 3].map((v) => <option key={v}>{v}</option>)}</select>
          </label>
        </fieldset>
        <div className="actions wide">
          <button type="submit" disabled={!canRun} className="primary">{busy ? 'Generating…' : 'Generate'}</button>
          {busy && <button type="button" onClick={() => abort.current?.abort()}>Cancel</button>}
        </div>
      </form>
      <ErrorBox error={error} />
      <div aria-live="polite" className="results">
        {busy && (partialUrl
          ? <figure><img src={partialUrl} alt="preview while generating" data-testid="partial" /><figcaption>preview {partial!.index + 1} of {previews}</figcaption></figure>
          : <p>Working…</p>)}
        {!busy && results.length > 0 && <p className="hint wide" data-testid="previews">{previewsSeen} preview{previewsSeen === 1 ? '' : 's'} shown while working.</p>}
        {!busy && results.map((item) => (
          <figure key={item.id} data-testid="result">
            <HistoryImage id={item.id} alt={`generated: ${item.prompt.slice(0, 80)}`} />
            <figcaption>seed {String(item.params.seed)} · {item.width}×{item.height} <button onClick={() => onEdit(item.id)}>Edit</button></figcaption>
          </figure>
        ))}
      </div>
    </section>
  );
}
