import { useCallback, useEffect, useState } from 'react';
import { createMatch, exportVotes, getLeaderboard, matchImage, saveFile, suggestPrompt, vote, type Leaderboard, type Match, type ServerConfig } from './api.ts';
import { ErrorBox } from './ErrorBox.tsx';
import { useBlobUrl } from './useBlobUrl.tsx';

type Pick = 'left' | 'right' | 'tie';

/** The sizes to offer: the server's default (the model's native size) and twice its sides. */
function sizeChoices(config: ServerConfig): string[] {
  const d = config.defaultSize;
  if (!d) return ['256x256'];
  const twice = d.width * d.height * 4 <= config.maxPixels ? [`${d.width * 2}x${d.height * 2}`] : [];
  return [`${d.width}x${d.height}`, ...twice];
}

/**
 * Blind pairwise rating: the server picks two contenders (models, or settings of the served
 * model), a seed and a size, and makes each side's image when the page asks for "left" and
 * "right"; the page shows them unlabelled and the rater picks a side or a tie. Which side was
 * which is shown only after the vote.
 */
export function Arena({ config }: { config: ServerConfig }) {
  const [topic, setTopic] = useState(config.topics[0] ?? 'other');
  const [prompt, setPrompt] = useState('');
  const sizes = sizeChoices(config);
  const [size, setSize] = useState(sizes[0]!);
  useEffect(() => { if (!sizes.includes(size)) setSize(sizes[0]!); }, [sizes.join(), size]);
  const [match, setMatch] = useState<Match | null>(null);
  const [images, setImages] = useState<[Blob, Blob] | null>(null);
  const [busy, setBusy] = useState(false);
  const [revealed, setRevealed] = useState<{ left: string; right: string; winner: string } | null>(null);
  const [board, setBoard] = useState<Leaderboard | null>(null);
  const [boardTopic, setBoardTopic] = useState('');
  const [error, setError] = useState<unknown>(null);
  const leftUrl = useBlobUrl(images?.[0]);
  const rightUrl = useBlobUrl(images?.[1]);

  const refresh = useCallback(() => getLeaderboard(boardTopic).then(setBoard, setError), [boardTopic]);
  useEffect(() => { void refresh(); }, [refresh]);

  async function start() {
    if (!prompt.trim() || busy) return;
    setBusy(true);
    setError(null);
    setImages(null);
    setRevealed(null);
    try {
      const m = await createMatch(topic, prompt, size);
      setMatch(m);
      // One after the other: on a one-worker server the two would queue anyway.
      const left = await matchImage(m.id, 'left');
      const right = await matchImage(m.id, 'right');
      setImages([left, right]);
    } catch (err) {
      setMatch(null);
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  async function suggest() {
    try {
      setPrompt(await suggestPrompt(topic));
    } catch (err) {
      setError(err);
    }
  }

  const pick = useCallback(async (winner: Pick) => {
    if (!match || !images || revealed) return;
    try {
      setRevealed(await vote(match.id, winner));
      await refresh();
    } catch (err) {
      setError(err);
    }
  }, [match, images, revealed, refresh]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.target instanceof HTMLElement && ['INPUT', 'TEXTAREA', 'SELECT'].includes(e.target.tagName)) return;
      if (e.key === 'ArrowLeft' || e.key === '1') void pick('left');
      else if (e.key === 'ArrowRight' || e.key === '3') void pick('right');
      else if (e.key === 'ArrowDown' || e.key === '2') void pick('tie');
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [pick]);

  return (
    <section aria-labelledby="arena-title" className="panel">
      <h2 id="arena-title">Arena</h2>
      <p className="hint">{config.arena.mode === 'models'
        ? `Two images for one prompt, made by two of the ${config.arena.contenders} models this server compares, with the same seed and size.`
        : 'Two images for one prompt, made with two different settings (step counts) of the served model and the same seed.'}
        {' '}Pick the better one; the sides are revealed after your vote. The models were trained on simple emoji-style objects, colours, counts, positions and lettering on plain backgrounds: the topics and suggested prompts stay there.</p>
      <form className="controls" onSubmit={(e) => { e.preventDefault(); void start(); }}>
        <label>Topic
          <select value={topic} onChange={(e) => setTopic(e.target.value)}>{config.topics.map((t) => <option key={t}>{t}</option>)}</select>
        </label>
        <label>Size
          <select value={size} onChange={(e) => setSize(e.target.value)}>{sizes.map((s, i) => <option key={s} value={s}>{s}{i === 0 && config.defaultSize ? ' (native)' : ''}</option>)}</select>
        </label>
        <button type="button" onClick={() => void suggest()}>Suggest a prompt</button>
        <label className="wide">Arena prompt
          <textarea rows={2} value={prompt} onChange={(e) => setPrompt(e.target.value)} />
        </label>
        <button type="submit" className="primary" disabled={busy || !prompt.trim()}>{busy ? 'Making both images…' : 'New match'}</button>
      </form>
      <ErrorBox error={error} />
      {images && (
        <>
          <div className="pair">
            <figure><img src={leftUrl} alt="left image" data-testid="arena-left" />{revealed && <figcaption>{revealed.left}</figcaption>}</figure>
            <figure><img src={rightUrl} alt="right image" data-testid="arena-right" />{revealed && <figcaption>{revealed.right}</figcaption>}</figure>
          </div>
          <div className="actions" role="group" aria-label="Which is better?">
            <button onClick={() => void pick('left')} disabled={Boolean(revealed)} aria-keyshortcuts="ArrowLeft">◀ Left is better</button>
            <button onClick={() => void pick('tie')} disabled={Boolean(revealed)} aria-keyshortcuts="ArrowDown">Tie</button>
            <button onClick={() => void pick('right')} disabled={Boolean(revealed)} aria-keyshortcuts="ArrowRight">Right is better ▶</button>
          </div>
          {revealed && <p role="status">Vote recorded: {revealed.winner}.</p>}
        </>
      )}
      <h3>Leaderboard</h3>
      <div className="controls">
        <label>Leaderboard topic
          <select value={boardTopic} onChange={(e) => setBoardTopic(e.target.value)}>
            <option value="">all topics</option>
            {config.topics.map((t) => <option key={t}>{t}</option>)}
          </select>
        </label>
        <button onClick={() => exportVotes().then((b) => saveFile(b, 'arena-votes.jsonl'), setError)}>Export votes (JSONL)</button>
      </div>
      {board && (
        <>
          <table className="board" data-testid="leaderboard">
            <caption>{board.votes} vote{board.votes === 1 ? '' : 's'}{board.topic ? ` on ${board.topic}` : ''} · {board.method}</caption>
            <thead><tr><th scope="col">#</th><th scope="col">{config.arena.mode === 'models' ? 'Model' : 'Contender'}</th><th scope="col">Rating</th><th scope="col">95% interval</th><th scope="col">W / L / T</th></tr></thead>
            <tbody>
              {board.standings.map((s, i) => (
                <tr key={s.name} data-name={s.name}>
                  <td>{i + 1}</td>
                  <td>{s.name} <small>{board.contenders.find((c) => c.name === s.name)?.description}</small></td>
                  <td>{Math.round(s.rating)}</td>
                  <td>{Math.round(s.ci[0])}–{Math.round(s.ci[1])}</td>
                  <td data-testid="record">{s.wins} / {s.losses} / {s.ties}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {board.pairs.length > 0 && (
            <table className="board" data-testid="pairs">
              <caption>Votes per pair</caption>
              <thead><tr><th scope="col">A</th><th scope="col">B</th><th scope="col">A wins</th><th scope="col">B wins</th><th scope="col">Ties</th></tr></thead>
              <tbody>
                {board.pairs.map((p) => (
                  <tr key={`${p.a} ${p.b}`}><td>{p.a}</td><td>{p.b}</td><td>{p.aWins}</td><td>{p.bWins}</td><td>{p.ties}</td></tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
