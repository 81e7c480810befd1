import { useEffect, useRef, useState } from 'react';
import { ErrorBox } from './ErrorBox.tsx';
import { editPhoto, restoreVersion, thumbnail, versionImage, type Change, type Library, type LibraryPhoto as Photo } from './libraryApi.ts';
import { MaskBrush, type MaskHandle } from './MaskBrush.tsx';
import { randomSeed } from './sizes.ts';
import { useBlobUrl } from './useBlobUrl.tsx';
import { ChangeFields } from './ChangeFields.tsx';

/** A blob from the library (fetched with the key), or undefined while it loads. */
export function useLibraryBlob(load: (() => Promise<Blob>) | undefined, key: string): Blob | undefined {
  const [blob, setBlob] = useState<Blob>();
  useEffect(() => {
    let live = true;
    setBlob(undefined);
    load?.().then((b) => live && setBlob(b), () => {});
    return () => { live = false; };
  }, [key]);
  return blob;
}

export function LibraryImage({ photo, n, thumb, alt, className }: { photo: string; n: number; thumb?: boolean; alt: string; className?: string }) {
  const url = useBlobUrl(useLibraryBlob(() => (thumb ? thumbnail(photo, n) : versionImage(photo, n)), `${photo}/${n}/${thumb ? 'thumb' : 'image'}`));
  return url ? <img src={url} alt={alt} className={className} /> : <div className={`placeholder ${className ?? ''}`} aria-label={`${alt} (loading)`} />;
}

const label = (n: number) => (n === 0 ? 'original' : `v${n}`);

/** Two versions of a photo, one over the other, split where the slider says. */
function VersionCompare({ photo, a, b }: { photo: string; a: number; b: number }) {
  const [at, setAt] = useState(50);
  return (
    <div className="compare" data-testid="library-compare">
      <LibraryImage photo={photo} n={b} alt={`${label(b)} (right of the divider)`} className="layer" />
      <div className="layer before" style={{ clipPath: `inset(0 ${100 - at}% 0 0)` }}>
        <LibraryImage photo={photo} n={a} alt={`${label(a)} (left of the divider)`} />
      </div>
      <div className="divider" style={{ left: `${at}%` }} aria-hidden="true" />
      <label className="compare-range">
        {label(a)} / {label(b)}
        <input type="range" min={0} max={100} value={at} onChange={(e) => setAt(Number(e.target.value))} />
      </label>
    </div>
  );
}

interface Props {
  library: Library;
  photo: Photo;
  onChanged: (photo: Photo) => void;
  onClose: () => void;
}

/**
 * One photo of the library: its versions (0 is the original, never changed), the one shown with
 * the mask brush over it, an edit from the shown version, a comparison of any two versions, and
 * restore (which version is current; nothing is deleted).
 */
export function LibraryPhoto({ library, photo, onChanged, onClose }: Props) {
  const [shown, setShown] = useState(photo.current);
  const [compare, setCompare] = useState<[number, number] | null>(null);
  const [change, setChange] = useState<Change>({ quality: 'low' });
  const [busy, setBusy] = useState(false);
  const [painted, setPainted] = useState(0);
  const [error, setError] = useState<unknown>(null);
  const brush = useRef<MaskHandle>(null);
  const numbers = [0, ...photo.versions.map((v) => v.n)];
  const version = photo.versions.find((v) => v.n === shown);
  const size = version ?? photo.working;

  useEffect(() => { if (!numbers.includes(shown)) setShown(photo.current); }, [photo.id]);

  async function apply() {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const mask = await brush.current?.mask();
      const r = await editPhoto(photo.id, { ...change, seed: randomSeed() }, shown, mask);
      onChanged(r.photo);
      setShown(r.version.n);
      setCompare(null);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  async function restore(n: number) {
    setError(null);
    try {
      onChanged(await restoreVersion(photo.id, n));
    } catch (err) {
      setError(err);
    }
  }

  return (
    <section aria-labelledby="photo-title" className="library-photo">
      <div className="toolbar">
        <button type="button" onClick={onClose}>← All photos</button>
        <h3 id="photo-title">{photo.path}</h3>
        <span className="meta">{photo.width}×{photo.height} {photo.format}{photo.hasLocation ? ' · has a location (never copied into versions)' : ''}</span>
      </div>
      <div className="toolbar" role="toolbar" aria-label="Version">
        <span data-testid="shown-version">showing {label(shown)}{shown === photo.current ? ' (current)' : ''}</span>
        <button type="button" disabled={shown === photo.current} onClick={() => void restore(shown)}>Make {label(shown)} current</button>
        <label><input type="checkbox" checked={Boolean(compare)} disabled={numbers.length < 2} onChange={(e) => setCompare(e.target.checked ? [version ? version.parent : 0, shown === 0 ? numbers[numbers.length - 1]! : shown] : null)} /> Compare versions</label>
        {compare && (
          <>
            <label>left <select aria-label="Compare left" value={compare[0]} onChange={(e) => setCompare([Number(e.target.value), compare[1]])}>{numbers.map((n) => <option key={n} value={n}>{label(n)}</option>)}</select></label>
            <label>right <select aria-label="Compare right" value={compare[1]} onChange={(e) => setCompare([compare[0], Number(e.target.value)])}>{numbers.map((n) => <option key={n} value={n}>{label(n)}</option>)}</select></label>
          </>
        )}
      </div>
      {compare && <VersionCompare photo={photo.id} a={compare[0]} b={compare[1]} />}
      <MaskBrush width={size.width} height={size.height} hidden={Boolean(compare)} ref={brush} onCoverage={setPainted}>
        <LibraryImage photo={photo.id} n={shown} alt={`${photo.path}, ${label(shown)}`} />
      </MaskBrush>
      <form className="controls" onSubmit={(e) => { e.preventDefault(); void apply(); }}>
        <ChangeFields library={library} change={change} onChange={setChange} placeholder={painted > 0 ? 'what to put in the masked area' : 'e.g. make the sky orange'} />
        <button type="submit" className="primary" disabled={busy || (!change.instruction?.trim() && !change.preset)}>{busy ? 'Editing…' : `Edit ${label(shown)}`}</button>
      </form>
      <ErrorBox error={error} />
      <h3>Versions</h3>
      <ol className="versions" aria-label="Versions of this photo">
        {numbers.map((n) => {
          const v = photo.versions.find((x) => x.n === n);
          return (
            <li key={n}>
              <button type="button" className={n === shown ? 'current' : ''} aria-current={n === shown} onClick={() => setShown(n)} title={v ? `${v.instruction} (seed ${v.seed}, ${v.steps} steps, ${v.model} ${v.modelVersion})` : 'the original'}>
                <LibraryImage photo={photo.id} n={n} thumb alt={label(n)} />
                <span>{label(n)}{n === photo.current ? ' ★' : ''}{v ? ` ${v.masked ? '(masked) ' : ''}${v.instruction.slice(0, 36)}` : ''}</span>
              </button>
            </li>
          );
        })}
      </ol>
      <p className="hint">★ = current (what `flowpaint photos export` writes and the next batch edits). Versions are never deleted; the original file is never written.</p>
    </section>
  );
}
