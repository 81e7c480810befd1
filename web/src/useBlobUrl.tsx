import { useEffect, useState } from 'react';
import { historyImage } from './api.ts';

/** An object URL for a blob, revoked when it changes or the component goes away. */
export function useBlobUrl(blob: Blob | null | undefined): string | undefined {
  const [url, setUrl] = useState<string>();
  useEffect(() => {
    if (!blob) return setUrl(undefined);
    const u = URL.createObjectURL(blob);
    setUrl(u);
    return () => URL.revokeObjectURL(u);
  }, [blob]);
  return url;
}

/** A history image (fetched with the key), as a blob. */
export function useHistoryBlob(id: string | undefined): Blob | undefined {
  const [blob, setBlob] = useState<Blob>();
  useEffect(() => {
    let live = true;
    setBlob(undefined);
    if (id) historyImage(id).then((b) => live && setBlob(b), () => {});
    return () => { live = false; };
  }, [id]);
  return blob;
}

export function HistoryImage({ id, alt, className }: { id: string; alt: string; className?: string }) {
  const url = useBlobUrl(useHistoryBlob(id));
  return url ? <img src={url} alt={alt} className={className} /> : <div className={`placeholder ${className ?? ''}`} aria-label={`${alt} (loading)`} />;
}
