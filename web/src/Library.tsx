import { useCallback, useEffect, useState } from 'react';
import { ChangeFields } from './ChangeFields.tsx';
import { ErrorBox } from './ErrorBox.tsx';
import { getLibrary, rescan, resumeBatch, startBatch, stopBatch, type Change, type Library as LibraryData, type LibraryPhoto as Photo } from './libraryApi.ts';
import { LibraryImage, LibraryPhoto } from './LibraryPhoto.tsx';

/**
 * The photo library the server was started with (`flowpaint serve --library DIR`), over the same
 * store as `flowpaint photos`: thumbnails to browse and select, a batch edit of the selection
 * (in the background, stoppable and resumable), and one photo at a time with the mask brush.
 */
export function Library() {
  const [lib, setLib] = useState<LibraryData | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [open, setOpen] = useState<string>();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [change, setChange] = useState<Change>({ quality: 'low' });
  const [note, setNote] = useState('');

  const load = useCallback(() => getLibrary().then((l) => { setLib(l); setLoadError(null); }, setLoadError), []);
  useEffect(() => { void load(); }, [load]);
  // While a batch runs, its progress (and its new versions) come in every second.
  const running = lib?.batches.some((b) => b.running) ?? false;
  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => void load(), 1000);
    return () => clearInterval(t);
  }, [running, load]);

  // Runs a library action, then reloads the library; `after` gets the action's result once the
  // reloaded library is on the page (so a note never describes a grid that is not there yet).
  const act = <T,>(fn: () => Promise<T>, after?: (result: T) => void) => () => {
    setError(null);
    fn().then(async (result) => { await load(); after?.(result); }, setError);
  };
  const replace = (p: Photo) => setLib((l) => l && { ...l, photos: l.photos.map((x) => (x.id === p.id ? p : x)) });

  if (loadError) return <section className="panel"><h2>Library</h2><ErrorBox error={loadError} /><p className="hint">Start the server with <code>flowpaint serve --library DIR</code> to edit a folder of your photos here.</p></section>;
  if (!lib) return <section className="panel"><p>Loading the library…</p></section>;
  const photo = lib.photos.find((p) => p.id === open);
  if (photo) return <section className="panel"><LibraryPhoto library={lib} photo={photo} onChanged={replace} onClose={() => { setOpen(undefined); void load(); }} /></section>;

  const toggle = (id: string) => setSelected((s) => { const n = new Set(s); if (n.has(id)) n.delete(id); else n.add(id); return n; });
  return (
    <section aria-labelledby="library-title" className="panel">
      <h2 id="library-title">Library: {lib.name}</h2>
      <div className="toolbar">
        <span data-testid="library-count">{lib.photos.length} photos{selected.size ? `, ${selected.size} selected` : ''}</span>
        <button type="button" onClick={act(rescan, (r) => setNote(`${r.added.length} new, ${r.changed.length} changed, ${r.missing.length} missing, ${r.skipped.length} skipped`))}>Rescan folder</button>
        <button type="button" onClick={() => setSelected(new Set(lib.photos.map((p) => p.id)))}>Select all</button>
        <button type="button" disabled={!selected.size} onClick={() => setSelected(new Set())}>Select none</button>
        {note && <output>{note}</output>}
        {lib.busy && <span className="warn">busy: {lib.busy}</span>}
      </div>
      <ErrorBox error={error} />
      {!lib.indexed && <p>This folder has not been indexed yet: press "Rescan folder" (or run <code>flowpaint photos index</code>).</p>}
      {selected.size > 0 && (
        <form className="controls" aria-label="Edit the selected photos" onSubmit={(e) => { e.preventDefault(); act(() => startBatch([...selected], change))(); }}>
          <ChangeFields library={lib} change={change} onChange={setChange} placeholder="e.g. remove the motion blur" />
          <button type="submit" className="primary" disabled={running || (!change.instruction?.trim() && !change.preset)}>Edit {selected.size} photo{selected.size === 1 ? '' : 's'}</button>
        </form>
      )}
      {/* The newest batch, and any other that is unfinished or had failures. */}
      {lib.batches.filter((b, i) => i === 0 || b.running || b.pending > 0 || b.failed > 0).slice(0, 5).map((b) => (
        <div key={b.id} className="batch" data-testid="batch" data-running={b.running}>
          <progress max={b.total} value={b.done + b.failed} aria-label={`batch ${b.id}`} />{' '}
          <span>“{b.instruction}”: {b.done} done, {b.failed} failed, {b.pending} left{b.running ? '' : b.pending ? ' (stopped)' : ' (finished)'}</span>{' '}
          {b.running ? <button type="button" onClick={act(() => stopBatch(b.id))}>Stop</button> : b.pending > 0 && <button type="button" disabled={Boolean(lib.busy)} onClick={act(() => resumeBatch(b.id))}>Resume</button>}
          {b.errors.slice(0, 3).map((e) => <p key={e.photo} className="warn">{e.photo}: {e.error}</p>)}
        </div>
      ))}
      <ul className="gallery library">
        {lib.photos.map((p) => (
          <li key={p.id} data-testid="library-photo" className={selected.has(p.id) ? 'selected' : ''}>
            <button type="button" className="open" onClick={() => setOpen(p.id)} aria-label={`Open ${p.path}`}>
              <LibraryImage photo={p.id} n={p.current} thumb alt={`${p.path}${p.current ? `, v${p.current}` : ''}`} />
            </button>
            <label className="caption"><input type="checkbox" checked={selected.has(p.id)} onChange={() => toggle(p.id)} aria-label={`Select ${p.path}`} /> {p.path}</label>
            <p className="meta">{p.width}×{p.height} · {p.versions.length ? `${p.versions.length} version${p.versions.length === 1 ? '' : 's'}, current ${p.current === 0 ? 'original' : `v${p.current}`}` : 'original only'}{p.missing ? ' · file missing' : ''}</p>
          </li>
        ))}
      </ul>
    </section>
  );
}
