import type { Change, Library } from './libraryApi.ts';

/** What to change: a free instruction, or one of the library's presets with its arguments; and the quality. */
export function ChangeFields({ library, change, onChange, placeholder }: { library: Library; change: Change; onChange: (c: Change) => void; placeholder: string }) {
  const preset = library.presets.find((p) => p.name === change.preset);
  const set = (patch: Partial<Change>) => onChange({ ...change, ...patch });
  return (
    <>
      <label>Edit
        <select aria-label="Preset" value={change.preset ?? ''} onChange={(e) => set({ preset: e.target.value || undefined, instruction: e.target.value ? undefined : change.instruction })}>
          <option value="">instruction</option>
          {library.presets.map((p) => <option key={p.name} value={p.name}>{p.about}</option>)}
        </select>
      </label>
      {!preset && (
        <label className="grow">Instruction
          <input type="text" value={change.instruction ?? ''} onChange={(e) => set({ instruction: e.target.value })} placeholder={placeholder} />
        </label>
      )}
      {preset?.needs.map((k) => (
        <label key={k}>{k === 'color' ? 'Colour' : k === 'text' ? 'New text' : 'Object'}
          <input type="text" value={change[k] ?? ''} onChange={(e) => set({ [k]: e.target.value })} />
        </label>
      ))}
      <label>Quality
        <select value={change.quality} onChange={(e) => set({ quality: e.target.value as Change['quality'] })}>
          {(['low', 'medium', 'high'] as const).map((q) => <option key={q} value={q}>{q} ({library.quality[q].steps} steps)</option>)}
        </select>
      </label>
    </>
  );
}
