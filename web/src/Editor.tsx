import { useCallback, useEffect, useRef, useState } from 'react';
import { edit, historyImage, saveHistory, type HistoryItem, type Quality, type ServerConfig } from './api.ts';
import { CompareSlider } from './CompareSlider.tsx';
import { ErrorBox } from './ErrorBox.tsx';
import { type Guidance, GuidanceField, useGuidance } from './GuidanceField.tsx';
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

/** Where `currentId` sits in its tree: every version from the same root (oldest first), its parent and its newest child. */
function versionTree(items: HistoryItem[], currentId: string | undefined) {
  const current = items.find((i) => i.id === currentId);
  const versions = current ? items.filter((i) => i.root === current.root).sort((a, b) => (a.id < b.id ? -1 : 1)) : [];
  const parent = current?.parent ? items.find((i) => i.id === current.parent) : undefined;
  const newestChild = current ? items.filter((i) => i.parent === current.id).sort((a, b) => (a.id < b.id ? 1 : -1))[0] : undefined;
  return { current, versions, parent, newestChild };
}

/** Ctrl/Cmd+Z undoes, Ctrl/Cmd+Shift+Z and Ctrl/Cmd+Y redo, except while typing in a field. */
function useUndoRedoKeys(undo: () => void, redo: () => void) {
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
}

/**
 * Editing as a tree of versions: every edit is saved as a new version whose parent is the one
 * it was made from, always from that version's exact bytes (PNG, same size), so repeated edits
 * do not drift. Undo goes to the parent, redo to the newest child.
 */
export function Editor({ config, items, currentId, onSelect, onSaved }: Props) {
  const { current, versions, parent, newestChild } = versionTree(items, currentId);

  const [instruction, setInstruction] = useState('');
  // What the API's "auto" draws: a first try should look its best.
  const [quality, setQuality] = useState<Quality>('medium');
  const guidance = useGuidance(config, quality);
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
  useUndoRedoKeys(undo, redo);

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
    if (!current || !instruction.trim() || busy || guidance.problem) return;
    setBusy(true);
    setError(null);
    try {
      const source = await historyImage(current.id);
      const masked = await brush.current?.mask();
      const params = { quality, seed: randomSeed(), ...guidance.params, partial_images: 2 };
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
          <VersionToolbar
            onUndo={undo} onRedo={redo} canUndo={Boolean(parent)} canRedo={Boolean(newestChild)}
            compare={compare} onCompare={setCompare} position={versions.findIndex((v) => v.id === current.id) + 1} count={versions.length}
          />
          {compare && parent && <CompareSlider before={parent.id} after={current.id} />}
          <MaskBrush width={current.width} height={current.height} hidden={Boolean(compare && parent)} ref={brush} onCoverage={setPainted}>
            {imageUrl && <img src={partialUrl ?? imageUrl} alt={`version being edited: ${current.prompt.slice(0, 80)}`} data-testid="edit-image" data-id={current.id} />}
          </MaskBrush>
          <EditForm
            config={config} instruction={instruction} onInstruction={setInstruction} quality={quality} onQuality={setQuality} guidance={guidance}
            masked={painted > 0} busy={busy} onApply={() => void apply()}
          />
          <ErrorBox error={error} />
          <h3>Versions</h3>
          <VersionList versions={versions} currentId={current.id} onSelect={onSelect} />
        </>
      )}
    </section>
  );
}

interface ToolbarProps {
  onUndo: () => void;
  onRedo: () => void;
  canUndo: boolean;
  canRedo: boolean;
  /** Compare with the parent; offered only when there is one (canUndo). */
  compare: boolean;
  onCompare: (on: boolean) => void;
  /** 1-based place of the current version among `count`. */
  position: number;
  count: number;
}

function VersionToolbar({ onUndo, onRedo, canUndo, canRedo, compare, onCompare, position, count }: ToolbarProps) {
  return (
    <div className="toolbar" role="toolbar" aria-label="Versions">
      <button onClick={onUndo} disabled={!canUndo} aria-keyshortcuts="Control+Z">Undo</button>
      <button onClick={onRedo} disabled={!canRedo} aria-keyshortcuts="Control+Shift+Z">Redo</button>
      <label><input type="checkbox" checked={compare && canUndo} disabled={!canUndo} onChange={(e) => onCompare(e.target.checked)} /> Compare with previous version</label>
      <span data-testid="version">version {position} of {count}</span>
    </div>
  );
}

interface EditFormProps {
  config: ServerConfig;
  instruction: string;
  onInstruction: (text: string) => void;
  quality: Quality;
  onQuality: (q: Quality) => void;
  guidance: Guidance;
  /** A mask is painted: the instruction says what goes in it. */
  masked: boolean;
  busy: boolean;
  onApply: () => void;
}

function EditForm({ config, instruction, onInstruction, quality, onQuality, guidance, masked, busy, onApply }: EditFormProps) {
  return (
    <form className="controls" onSubmit={(e) => { e.preventDefault(); onApply(); }}>
      <label className="wide">Instruction
        <input type="text" value={instruction} onChange={(e) => onInstruction(e.target.value)} placeholder={masked ? 'what to put in the masked area' : 'e.g. make the background green'} />
      </label>
      <label>Quality
        <select value={quality} onChange={(e) => onQuality(e.target.value as Quality)}>
          {(['low', 'medium', 'high'] as const).map((q) => <option key={q} value={q}>{q} ({config.quality[q].steps} steps{config.quality[q].fast ? ', fast' : ''})</option>)}
        </select>
      </label>
      <GuidanceField config={config} guidance={guidance} />
      <button type="submit" className="primary" disabled={busy || !instruction.trim() || Boolean(guidance.problem)}>{busy ? 'Editing…' : 'Apply edit'}</button>
    </form>
  );
}

/** Every version of the image as a thumbnail button, the current one marked. */
function VersionList({ versions, currentId, onSelect }: { versions: HistoryItem[]; currentId: string; onSelect: (id: string) => void }) {
  return (
    <ol className="versions" aria-label="Versions of this image">
      {versions.map((v, i) => (
        <li key={v.id}>
          <button className={v.id === currentId ? 'current' : ''} aria-current={v.id === currentId} onClick={() => onSelect(v.id)} title={v.prompt}>
            <HistoryImage id={v.id} alt={`version ${i + 1}`} />
            <span>{i + 1}. {v.kind === 'edit' ? v.prompt.slice(0, 40) : v.kind}</span>
          </button>
        </li>
      ))}
    </ol>
  );
}
