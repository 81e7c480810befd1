import { useState } from 'react';
import { deleteHistory, historyImage, saveFile, type HistoryItem } from './api.ts';
import { ErrorBox } from './ErrorBox.tsx';
import { HistoryImage } from './useBlobUrl.tsx';

interface Props {
  items: HistoryItem[];
  onEdit: (id: string) => void;
  onDeleted: (id: string) => void;
}

const EXT: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' };

/** Every image made, uploaded or edited with this key, newest first; kept by the server. */
export function Gallery({ items, onEdit, onDeleted }: Props) {
  const [error, setError] = useState<unknown>(null);
  const act = (fn: () => Promise<void>) => () => { setError(null); fn().catch(setError); };
  return (
    <section aria-labelledby="history-title" className="panel">
      <h2 id="history-title">History</h2>
      <ErrorBox error={error} />
      {items.length === 0 && <p>Nothing yet: generate or upload an image.</p>}
      <ul className="gallery">
        {items.map((item) => (
          <li key={item.id} data-testid="history-item" data-kind={item.kind}>
            <HistoryImage id={item.id} alt={item.prompt ? `${item.kind}: ${item.prompt.slice(0, 80)}` : item.kind} />
            <p className="caption" title={item.prompt}>
              <strong>{item.kind}</strong> {item.prompt.slice(0, 120)}{item.prompt.length > 120 ? '…' : ''}
            </p>
            <p className="meta">{item.width}×{item.height}{item.params.quality ? ` · ${String(item.params.quality)}` : ''}{item.params.seed !== undefined ? ` · seed ${String(item.params.seed)}` : ''} · {new Date(item.createdAt).toLocaleString()}</p>
            <div className="actions">
              <button onClick={() => onEdit(item.id)}>Edit</button>
              <button onClick={act(async () => saveFile(await historyImage(item.id), `flowpaint-${item.id}.${EXT[item.contentType] ?? 'png'}`))}>Download image</button>
              <button onClick={() => saveFile(new Blob([JSON.stringify(item, null, 2)], { type: 'application/json' }), `flowpaint-${item.id}.json`)}>Download metadata</button>
              <button
                className="danger"
                aria-label={`Delete ${item.kind} ${item.prompt.slice(0, 40)}`}
                onClick={act(async () => {
                  if (!window.confirm('Delete this image from the history?')) return;
                  await deleteHistory(item.id);
                  onDeleted(item.id);
                })}
              >Delete</button>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
