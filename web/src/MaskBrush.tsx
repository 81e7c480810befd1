import { useEffect, useImperativeHandle, useRef, useState, type ReactNode, type Ref } from 'react';
import { clearMask, coverage, invertMask, maskPng, stroke, type Tool } from './mask.ts';

export interface MaskHandle {
  /** The painted mask as the server takes it (transparent = change), or undefined when nothing is painted. */
  mask(): Promise<Blob | undefined>;
  clear(): void;
}

interface Props {
  /** The image's pixel size: the mask is painted at exactly this size. */
  width: number;
  height: number;
  /** The image under the mask. */
  children: ReactNode;
  hidden?: boolean;
  ref?: Ref<MaskHandle>;
  /** Called with the painted fraction after each stroke. */
  onCoverage?: (fraction: number) => void;
}

const isTyping = (t: EventTarget | null) => t instanceof HTMLElement && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT');

/**
 * The inpainting brush over an image, with its tools: brush and eraser (B, E), size ([ and ]),
 * clear and invert. Painted pixels are the area to change. A new image size starts a new mask;
 * the same size keeps it, for repeated inpainting of one area.
 */
export function MaskBrush({ width, height, children, hidden, ref, onCoverage }: Props) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const last = useRef<{ x: number; y: number } | null>(null);
  const [tool, setTool] = useState<Tool>('brush');
  const [brush, setBrush] = useState(24);
  const [painted, setPainted] = useState(0);
  const refresh = () => {
    const f = canvas.current ? coverage(canvas.current) : 0;
    setPainted(f);
    onCoverage?.(f);
  };

  useImperativeHandle(ref, () => ({
    mask: async () => (canvas.current && coverage(canvas.current) > 0 ? maskPng(canvas.current) : undefined),
    clear: () => { if (canvas.current) { clearMask(canvas.current); refresh(); } },
  }));

  useEffect(() => {
    const c = canvas.current;
    if (c && (c.width !== width || c.height !== height)) {
      c.width = width;
      c.height = height;
      setPainted(0);
      onCoverage?.(0);
    }
  }, [width, height]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (hidden || isTyping(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === 'b') setTool('brush');
      else if (e.key === 'e') setTool('eraser');
      else if (e.key === '[') setBrush((s) => Math.max(2, s - 4));
      else if (e.key === ']') setBrush((s) => Math.min(256, s + 4));
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [hidden]);

  const point = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    return { x: ((e.clientX - r.left) * e.currentTarget.width) / r.width, y: ((e.clientY - r.top) * e.currentTarget.height) / r.height };
  };
  const scale = () => (canvas.current ? canvas.current.width / canvas.current.getBoundingClientRect().width || 1 : 1);

  return (
    <>
      {/* Hidden, not unmounted, while something else is shown: the painted mask must survive. */}
      <div className="stage" hidden={hidden} style={{ aspectRatio: `${width} / ${height}` }}>
        {children}
        <canvas
          ref={canvas}
          className={`mask ${tool}`}
          aria-label="Mask: paint the area to change"
          data-testid="mask"
          onPointerDown={(e) => {
            e.currentTarget.setPointerCapture(e.pointerId);
            const p = point(e);
            last.current = p;
            stroke(e.currentTarget, p, p, brush * scale(), tool);
          }}
          onPointerMove={(e) => {
            if (!last.current) return;
            const p = point(e);
            stroke(e.currentTarget, last.current, p, brush * scale(), tool);
            last.current = p;
          }}
          onPointerUp={() => { last.current = null; refresh(); }}
          onPointerCancel={() => { last.current = null; refresh(); }}
        />
      </div>
      <div className="toolbar" role="toolbar" aria-label="Mask tools">
        <label><input type="radio" name="tool" checked={tool === 'brush'} onChange={() => setTool('brush')} /> Brush (B)</label>
        <label><input type="radio" name="tool" checked={tool === 'eraser'} onChange={() => setTool('eraser')} /> Eraser (E)</label>
        <label>Brush size <input type="range" min={2} max={256} value={brush} onChange={(e) => setBrush(Number(e.target.value))} /> {brush}px</label>
        <button type="button" onClick={() => { if (canvas.current) { clearMask(canvas.current); refresh(); } }}>Clear mask</button>
        <button type="button" onClick={() => { if (canvas.current) { invertMask(canvas.current); refresh(); } }}>Invert mask</button>
        <output data-testid="coverage">{painted > 0 ? `${(painted * 100).toFixed(1)}% masked: inpainting` : 'no mask: instruction edit of the whole image'}</output>
      </div>
    </>
  );
}
