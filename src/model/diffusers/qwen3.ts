// The Qwen3 text encoder of FLUX.2 [klein] and Z-Image (transformers' Qwen3ForCausalLM or
// Qwen3Model, used for hidden states only) as an engine graph with the checkpoint's parameter
// names. Facts from the reference: pre-norm decoder layers (RMSNorm), grouped-query attention with
// per-head RMS QK-norm before rotary positions (rotate-half layout, positions 0..L−1, theta from
// config), causal attention that also masks padding keys, SwiGLU MLP (down(silu(gate(x))·up(x))),
// no biases. hidden_states[i] is the output of layer i (1-based), before the final norm, for every
// i below the last; each pipeline names the layers it takes (klein: 9, 18, 27 side by side;
// Z-Image: hidden_states[-2], layer n−1), so only layers up to the deepest taken are built.
import { type Dim, type Tensor, ops as o } from '../../engine/index.ts';
import { DiffusersFormatError } from './errors.ts';
import { configFields } from './config-fields.ts';
import { ParamTable } from './params.ts';

export interface Qwen3Config {
  vocabSize: number;
  hidden: number;
  intermediate: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  eps: number;
  ropeTheta: number;
}

export function parseQwen3Config(json: Record<string, unknown>, file: string): Qwen3Config {
  const model = json.model_type;
  if (model !== undefined && model !== 'qwen3') throw new DiffusersFormatError(`${file}: model_type is '${String(model)}', expected qwen3`);
  const int = configFields(json, file).positiveInt;
  const hidden = int('hidden_size');
  const heads = int('num_attention_heads');
  // rope_theta moved into rope_parameters in newer transformers configs; read either.
  const ropeParams = (json.rope_parameters ?? json.rope_scaling) as Record<string, unknown> | null | undefined;
  const ropeType = ropeParams?.rope_type ?? ropeParams?.type ?? 'default';
  if (ropeType !== 'default') throw new DiffusersFormatError(`${file}: rope type '${String(ropeType)}' is not supported (expected default)`);
  const theta = json.rope_theta ?? ropeParams?.rope_theta ?? 1000000;
  if (typeof theta !== 'number' || !(theta > 0)) throw new DiffusersFormatError(`${file}: rope_theta must be a positive number, got ${JSON.stringify(theta)}`);
  const cfg: Qwen3Config = {
    vocabSize: int('vocab_size'),
    hidden,
    intermediate: int('intermediate_size'),
    layers: int('num_hidden_layers'),
    heads,
    kvHeads: int('num_key_value_heads', heads),
    headDim: json.head_dim == null ? hidden / heads : int('head_dim'),
    eps: typeof json.rms_norm_eps === 'number' ? json.rms_norm_eps : 1e-6,
    ropeTheta: theta,
  };
  if (cfg.heads % cfg.kvHeads !== 0) throw new DiffusersFormatError(`${file}: num_attention_heads ${cfg.heads} is not a multiple of num_key_value_heads ${cfg.kvHeads}`);
  if (json.attention_bias === true) throw new DiffusersFormatError(`${file}: attention_bias true is not supported (Qwen3 has none)`);
  return cfg;
}

export interface Qwen3Graph {
  params: ParamTable;
  inputs: { ids: Tensor; bias: Tensor; cos: Tensor; sin: Tensor };
  /** [B, L, hidden·layers.length]: per token, the outputs of the taken layers side by side. */
  output: Tensor;
}

function rotateHalfRope(x: Tensor, cos: Tensor, sin: Tensor): Tensor {
  const dh = x.shape[x.rank - 1] as number;
  const [x1, x2] = o.split(x, -1, [dh / 2, dh / 2]) as [Tensor, Tensor];
  return o.add(o.mul(x, cos), o.mul(o.concat([o.neg(x2), x1], -1), sin));
}

/**
 * Where the checkpoint keeps the decoder: `model.` when saved from Qwen3ForCausalLM, nothing when
 * saved from Qwen3Model (Z-Image's model_index names Qwen3Model; transformers loads either).
 */
export function qwen3Prefix(has: (key: string) => boolean): string {
  return has('model.embed_tokens.weight') || !has('embed_tokens.weight') ? 'model.' : '';
}

/**
 * The encoder graph for the outputs of `layers` (1-based). `shape` fixes batch and length (the
 * pipelines always pad to one length): ONNX Runtime takes minutes to prepare the 27-layer graph with symbolic dims (its shape
 * inference grows faster than linearly in depth) and seconds with static ones.
 */
export function buildQwen3(cfg: Qwen3Config, shape: { batch: Dim; length: Dim }, layers: readonly number[], prefix = 'model.'): Qwen3Graph {
  const deepest = Math.max(...layers);
  if (layers.length === 0 || deepest > cfg.layers || Math.min(...layers) < 1) throw new Error(`buildQwen3: layers [${layers}] must lie in 1..${cfg.layers}`);
  const p = new ParamTable();
  const { hidden: D, headDim: dh, heads: H, kvHeads: KV, eps } = cfg;
  const rep = H / KV;
  const { batch: B, length: L } = shape;
  const ids = o.input('input_ids', [B, L], 'int64');
  const bias = o.input('attention_bias', [B, 1, L, L]);
  const cos = o.input('rope_cos', [L, dh]);
  const sin = o.input('rope_sin', [L, dh]);
  const rms = (key: string, x: Tensor, d: number) => o.rmsNorm(x, p.tensor(key, [d]), eps);

  let x = o.gather(p.tensor(`${prefix}embed_tokens.weight`, [cfg.vocabSize, D]), ids);
  const [b, l] = x.shape as [Dim, Dim];
  const taken: Tensor[] = [];
  for (let i = 0; i < deepest; i++) {
    const k = `${prefix}layers.${i}`;
    const h = rms(`${k}.input_layernorm.weight`, x, D);
    // q as [B, KV, rep, L, dh] so each group of `rep` query heads meets its key/value head by broadcasting.
    const q = o.transpose(o.reshape(p.linear(`${k}.self_attn.q_proj`, h, H * dh), [b, l, KV, rep, dh]), [0, 2, 3, 1, 4]);
    const kk = o.transpose(o.reshape(p.linear(`${k}.self_attn.k_proj`, h, KV * dh), [b, l, KV, 1, dh]), [0, 2, 3, 1, 4]);
    const v = o.transpose(o.reshape(p.linear(`${k}.self_attn.v_proj`, h, KV * dh), [b, l, KV, 1, dh]), [0, 2, 3, 1, 4]);
    const qn = rotateHalfRope(rms(`${k}.self_attn.q_norm.weight`, q, dh), cos, sin);
    const kn = rotateHalfRope(rms(`${k}.self_attn.k_norm.weight`, kk, dh), cos, sin);
    const scores = o.add(o.matmul(o.mul(qn, 1 / Math.sqrt(dh)), o.transposeLast(kn)), o.unsqueeze(bias, 2));
    const att = o.matmul(o.softmax(scores, -1), v); // [B, KV, rep, L, dh]
    const merged = o.reshape(o.transpose(att, [0, 3, 1, 2, 4]), [b, l, H * dh]);
    x = o.add(x, p.linear(`${k}.self_attn.o_proj`, merged, D));
    const m = rms(`${k}.post_attention_layernorm.weight`, x, D);
    const gated = o.mul(o.silu(p.linear(`${k}.mlp.gate_proj`, m, cfg.intermediate)), p.linear(`${k}.mlp.up_proj`, m, cfg.intermediate));
    x = o.add(x, p.linear(`${k}.mlp.down_proj`, gated, D));
    if (layers.includes(i + 1)) taken.push(x);
  }
  return { params: p, inputs: { ids, bias, cos, sin }, output: o.concat(taken, -1) };
}

/**
 * Host-side inputs besides the ids: the additive attention bias (0 where query i may see key j —
 * j ≤ i and j is a real token — and a large negative number elsewhere) and the rotary tables for
 * positions 0..L−1, computed in float32 as the reference does.
 */
export function qwen3Inputs(mask: ArrayLike<number>, batch: number, len: number, cfg: Qwen3Config): { bias: Float32Array; cos: Float32Array; sin: Float32Array } {
  if (mask.length !== batch * len) throw new Error(`qwen3Inputs: mask has ${mask.length} values for ${batch}×${len}`);
  const bias = new Float32Array(batch * len * len);
  const NEG = -1e30;
  for (let bi = 0; bi < batch; bi++) {
    for (let i = 0; i < len; i++) {
      for (let j = 0; j < len; j++) bias[(bi * len + i) * len + j] = j <= i && mask[bi * len + j] ? 0 : NEG;
    }
  }
  const dh = cfg.headDim;
  const half = dh / 2;
  const f = Math.fround;
  const inv = new Float32Array(half);
  for (let i = 0; i < half; i++) inv[i] = f(1 / f(cfg.ropeTheta ** f((2 * i) / dh)));
  const cos = new Float32Array(len * dh);
  const sin = new Float32Array(len * dh);
  for (let t = 0; t < len; t++) {
    for (let i = 0; i < half; i++) {
      const a = f(t * inv[i]!);
      cos[t * dh + i] = cos[t * dh + i + half] = Math.cos(a);
      sin[t * dh + i] = sin[t * dh + i + half] = Math.sin(a);
    }
  }
  return { bias, cos, sin };
}
