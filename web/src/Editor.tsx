import { useCallback, useEffect, useRef, useState } from 'react';
import { edit, historyImage, saveHistory, type HistoryItem, type Quality, type ServerConfig } from './api.ts';
import { CompareSlider } from './CompareSlider.tsx';
import { ErrorBox } from './ErrorBox.tsx';
import { MaskBrush, type MaskHandle } from './MaskBrush.tsx';
import { randomSeed } from './sizes.ts';
import { HistoryImage, useBlobUrl, useHistoryBlob } from './useBlobUrl.tsx';

interface Props {
  config: ServerConfig;
  items: HistoryItem[];
  currentId: string | undefined;
  onSelect: (id: string) => void;
  onSaved: (items: HistoryItem[]) => void;
}

const isTyping = (t: EventTarget | null) => t instanceof HTMLElement && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT');

/**
 * Editing as a tree of versions: every edit is saved as a new version whose parent is the one
 * it was made from, always from that version's exact bytes (PNG, same size), so repeated edits
 * do not drift. Undo goes to the parent, redo to the newest child.
 */
export function Editor({ config, items, currentId, onSelect, onSaved }: Props) {
  const current = items.find((i) => i.id === currentId);
  const versions = current ? items.filter((i) => i.root === current.root).sort((a, b) => (a.id < b.id ? -1 : 1)) : [];
  const parent = current?.parent ? items.find((i) => i.id === current.parent) : undefined;
  const newestChild = current ? items.filter((i) => i.parent === current.id).sort((a, b) => (a.id < b.id ? 1 : -1))[0] : undefined;

  const [instruction, setInstruction] = useState('');
  const [quality, setQuality] = useState<Quality>('low');
  const [painted, setPainted] = useState(0);
  const [compare, setCompare] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [partial, setPartial] = useState<Blob | null>(null);
  const brush = useRef<MaskHandle>(null);
  const partialUrl = useBlobUrl(partial);
  const blob = useHistoryBlob(current?.id);
  const imageUrl = useBlobUrl(blob);

  const undo = useCallback(() => parent && onSelect(parent.id), [parent, onSelect]);
  const redo = useCallback(() => newestChild && onSelect(newestChild.id), [newestChild, onSelect]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e.target)) return;
      const mod = e.ctrlKey || e.metaKey;
      if (mod && e.key.toLowerCase() === 'z') { e.preventDefault(); if (e.shiftKey) redo(); else undo(); }
      else if (mod && e.key.toLowerCase() === 'y') { e.preventDefault(); redo(); }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [undo, redo]);

  async function upload(file: File) {
    setError(null);
    try {
      const item = await saveHistory(file, { kind: 'upload', prompt: '', params: { filename: file.name } });
      onSaved([item]);
      onSelect(item.id);
    } catch (err) {
      setError(err);
    }
  }

  async function apply() {
    if (!current || !instruction.trim() || busy) return;
    setBusy(true);
    setError(null);
    try {
      const source = await historyImage(current.id);
      const masked = await brush.current?.mask();
      const params = { quality, seed: randomSeed(), partial_images: 2 };
      const result = await edit(source, instruction, params, masked, { onPartial: (b) => setPartial(b) });
      const item = await saveHistory(result, { kind: 'edit', prompt: instruction, parent: current.id, params: { ...params, mask: Boolean(masked), maskCoverage: masked ? Number(painted.toFixed(4)) : 0 } });
      onSaved([item]);
      onSelect(item.id);
      setCompare(false);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
      setPartial(null);
    }
  }

  return (
    <section aria-labelledby="edit-title" className="panel">
      <h2 id="edit-title">Edit</h2>
      <label className="upload">Upload an image to edit <input type="file" accept="image/png,image/jpeg,image/webp" onChange={(e) => e.target.files?.[0] && void upload(e.target.files[0])} /></label>
      {!current ? <p>Open an image from the gallery or upload one.</p> : (
        <>
          <div className="toolbar" role="toolbar" aria-label="Versions">
            <button onClick={undo} disabled={!parent} aria-keyshortcuts="Control+Z">Undo</button>
            <button onClick={redo} disabled={!newestChild} aria-keyshortcuts="Control+Shift+Z">Redo</button>
            <label><input type="checkbox" checked={compare && Boolean(parent)} disabled={!parent} onChange={(e) => setCompare(e.target.checked)} /> Compare with previous version</label>
            <span data-testid="version">version {versions.findIndex((v) => v.id === current.id) + 1} of {versions.length}</span>
          </div>
          {compare && parent && <CompareSlider before={parent.id} after={current.id} />}
          <MaskBrush width={current.width} height={current.height} hidden={Boolean(compare && parent)} ref={brush} onCoverage={setPainted}>
            {imageUrl && <img src={partialUrl ?? imageUrl} alt={`version being edited: ${current.prompt.slice(0, 80)}`} data-testid="edit-image" data-id={current.id} />}
          </MaskBrush>
          <form className="controls" onSubmit={(e) => { e.preventDefault(); void apply(); }}>
            <label className="wide">Instruction
              <input type="text" value={instruction} onChange={(e) => setInstruction(e.target.value)} placeholder={painted > 0 ? 'what to put in the masked area' : 'e.g. make the background green'} />
            </label>
            <label>Quality
              <select value={quality} onChange={(e) => setQuality(e.target.value as Quality)}>
                {(['low', 'medium', 'high'] as const).map((q) => <option key={q} value={q}>{q} ({config.quality[q].steps} steps)</option>)}
              </select>
            </label>
            <button type="submit" className="primary" disabled={busy || !instruction.trim()}>{busy ? 'Editing…' : 'Apply edit'}</button>
          </form>
          <ErrorBox error={error} />
          <h3>Versions</h3>
          <ol className="versions" aria-label="Versions of this image">
            {versions.map((v, i) => (
              <li key={v.id}>
                <button className={v.id === current.id ? 'current' : ''} aria-current={v.id === current.id} onClick={() => onSelect(v.id)} title={v.prompt}>
                  <HistoryImage id={v.id} alt={`version ${i + 1}`} />
                  <span>{i + 1}. {v.kind === 'edit' ? v.prompt.slice(0, 40) : v.kind}</span>
                </button>
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}
