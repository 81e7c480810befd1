import { StrictMode, useCallback, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { getConfig, listHistory, onAuthNeeded, storedKey, storeKey, type HistoryItem, type ServerConfig } from './api.ts';
import { Arena } from './Arena.tsx';
import { Editor } from './Editor.tsx';
import { ErrorBox } from './ErrorBox.tsx';
import { Gallery } from './Gallery.tsx';
import { Generate } from './Generate.tsx';
import { Library } from './Library.tsx';
import './styles.css';

const TABS = ['generate', 'edit', 'history', 'library', 'arena'] as const;
type Tab = (typeof TABS)[number];

function KeyForm({ reason, onKey }: { reason: string; onKey: (key: string) => void }) {
  const [key, setKey] = useState('');
  return (
    <form className="panel key" onSubmit={(e) => { e.preventDefault(); if (key.trim()) onKey(key.trim()); }}>
      <h2>API key</h2>
      <p>{reason}</p>
      <label>API key <input type="password" autoComplete="off" value={key} onChange={(e) => setKey(e.target.value)} autoFocus /></label>
      <button type="submit" className="primary">Use this key</button>
      <p className="hint">It is kept in this browser (local storage) and sent only to this server.</p>
    </form>
  );
}

function App() {
  const [config, setConfig] = useState<ServerConfig | null>(null);
  const [fatal, setFatal] = useState<unknown>(null);
  const [keyReason, setKeyReason] = useState<string | null>(null);
  const [tab, setTab] = useState<Tab>('generate');
  const [items, setItems] = useState<HistoryItem[]>([]);
  const [editing, setEditing] = useState<string>();
  const [historyError, setHistoryError] = useState<unknown>(null);

  useEffect(() => {
    onAuthNeeded((message) => setKeyReason(`The server refused the key: ${message}`));
    let timer: ReturnType<typeof setTimeout> | undefined;
    let first = true;
    // While the model loads the config has no model and no sizes: ask again until it has them,
    // so the size controls can start at the model's native size.
    const load = () => getConfig().then((c) => {
      setConfig(c);
      if (first && c.keyRequired && !storedKey()) setKeyReason('This server needs an API key.');
      first = false;
      if (!c.model) timer = setTimeout(load, 2000);
    }, (err) => { if (first) setFatal(err); else timer = setTimeout(load, 5000); });
    void load();
    return () => clearTimeout(timer);
  }, []);

  const loadHistory = useCallback(() => listHistory().then((list) => { setItems(list); setHistoryError(null); }, setHistoryError), []);
  useEffect(() => { if (config && !keyReason) void loadHistory(); }, [config, keyReason, loadHistory]);

  const added = (list: HistoryItem[]) => setItems((old) => [...list, ...old.filter((o) => !list.some((n) => n.id === o.id))].sort((a, b) => (a.id < b.id ? 1 : -1)));
  const openEditor = (id: string) => { setEditing(id); setTab('edit'); };

  if (fatal) return <main><ErrorBox error={fatal} /></main>;
  if (!config) return <main><p>Loading…</p></main>;
  return (
    <>
      <header>
        <h1>flowpaint</h1>
        <span className="model">{config.model ? `model: ${config.model}` : 'model loading…'}</span>
        {config.keyRequired && storedKey() && <button onClick={() => { storeKey(null); setKeyReason('Enter an API key.'); }}>Forget key</button>}
      </header>
      {keyReason ? (
        <main><KeyForm reason={keyReason} onKey={(k) => { storeKey(k); setKeyReason(null); }} /></main>
      ) : (
        <>
          <nav role="tablist" aria-label="Playground sections">
            {TABS.map((t) => (
              <button key={t} role="tab" id={`tab-${t}`} aria-selected={tab === t} aria-controls={`panel-${t}`} onClick={() => setTab(t)}>
                {t[0]!.toUpperCase() + t.slice(1)}
              </button>
            ))}
          </nav>
          <main id={`panel-${tab}`} role="tabpanel" aria-labelledby={`tab-${tab}`}>
            <ErrorBox error={historyError} />
            {tab === 'generate' && <Generate config={config} onSaved={added} onEdit={openEditor} />}
            {tab === 'edit' && <Editor config={config} items={items} currentId={editing} onSelect={setEditing} onSaved={added} />}
            {tab === 'history' && <Gallery items={items} onEdit={openEditor} onDeleted={(id) => setItems((old) => old.filter((i) => i.id !== id))} />}
            {tab === 'library' && <Library />}
            {tab === 'arena' && <Arena config={config} />}
          </main>
        </>
      )}
    </>
  );
}

createRoot(document.getElementById('root')!).render(<StrictMode><App /></StrictMode>);
