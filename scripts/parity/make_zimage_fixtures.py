"""Parity fixtures for flowpaint's Z-Image loader (developer tool, not part of the product).

Builds tiny random configurations of the real Z-Image components with the reference implementation
(diffusers' ZImageTransformer2DModel, AutoencoderKL, FlowMatchEulerDiscreteScheduler and
ZImagePipeline; transformers' Qwen3Model and the same Qwen2-style tokenizer as the klein fixtures),
saves them in the folder layout of a downloaded model (`save_pretrained`), runs the reference in
float32 and writes its inputs and outputs as small safetensors/JSON fixtures. The TypeScript tests in
src/model/zimage/ compare against these files; CI needs only the files, never this script.

    python3 -m venv scripts/parity/.venv
    scripts/parity/.venv/bin/pip install -r scripts/parity/requirements.txt
    OMP_NUM_THREADS=1 scripts/parity/.venv/bin/python scripts/parity/make_zimage_fixtures.py [OUT_DIR]

OUT_DIR defaults to src/model/zimage/testdata. Everything is seeded: a rerun writes the same numbers
(up to the reference's own float non-determinism, far below the tests' tolerance).
"""

import json
import os
import sys

import torch
from safetensors.torch import save_file
from transformers import Qwen3Model

from diffusers import AutoencoderKL, FlowMatchEulerDiscreteScheduler, ZImagePipeline, ZImageTransformer2DModel
from diffusers.pipelines.z_image.pipeline_z_image import calculate_shift, get_default_z_image_sigmas

# The tokenizer (Qwen2/Qwen3 pre-tokenizer, byte-level BPE trained on a small corpus, the Qwen3 chat
# turn format), prompts and tiny-model helpers are the klein fixtures' own.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from parity_common import MAX_SEQ, PROMPTS, TINY_VAE, build_tokenizer, f32, fresh_dir, spread_norms, spread_transformer, spread_vae_norms, tiny_qwen3_config, write_tokenizer_fixture  # noqa: E402

torch.set_grad_enabled(False)

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join("src", "model", "zimage", "testdata")
MODEL_DIR = os.path.join(OUT, "zimage-tiny")
LATENT_CHANNELS = 4
CAP_DIM = 16


def build_components():
    tokenizer = build_tokenizer(os.path.join(MODEL_DIR, "tokenizer"))

    # Three layers: the pipeline takes hidden_states[-2], the output of layer 2 (before the final
    # norm). Saved as Qwen3Model, as Z-Image's model_index names it (weights without "model.").
    te_config = tiny_qwen3_config(tokenizer, hidden_size=CAP_DIM, intermediate_size=24, num_hidden_layers=3)
    torch.manual_seed(21)
    text_encoder = Qwen3Model(te_config)
    spread_norms(text_encoder)
    text_encoder = text_encoder.to(torch.float16)

    torch.manual_seed(22)
    transformer = ZImageTransformer2DModel(
        all_patch_size=(2,),
        all_f_patch_size=(1,),
        in_channels=LATENT_CHANNELS,
        dim=32,
        n_layers=2,
        n_refiner_layers=1,
        n_heads=2,
        n_kv_heads=2,
        norm_eps=1e-5,
        qk_norm=True,
        cap_feat_dim=CAP_DIM,
        rope_theta=256.0,
        t_scale=1000.0,
        axes_dims=[4, 6, 6],
        axes_lens=[256, 64, 64],
    )
    spread_transformer(transformer)
    # bfloat16 on disk (the timestep MLP alone is 256×1024): reloaded in float32, the reference
    # computes with exactly these values.
    transformer = transformer.to(torch.bfloat16)

    torch.manual_seed(23)
    vae = AutoencoderKL(
        **TINY_VAE,
        latent_channels=LATENT_CHANNELS,
        scaling_factor=0.3611,
        shift_factor=0.1159,
        use_quant_conv=False,
        use_post_quant_conv=False,
    )
    spread_vae_norms(vae)

    # Z-Image-Turbo's scheduler: a fixed shift of 3, no dynamic shifting.
    scheduler = FlowMatchEulerDiscreteScheduler(num_train_timesteps=1000, shift=3.0, use_dynamic_shifting=False)
    return ZImagePipeline(scheduler=scheduler, vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, transformer=transformer)


def main():
    fresh_dir(MODEL_DIR)
    build_components().save_pretrained(MODEL_DIR, safe_serialization=True)
    # Reload as a user would, in float32: the reference the TypeScript side must match.
    pipe = ZImagePipeline.from_pretrained(MODEL_DIR, torch_dtype=torch.float32)
    tok = pipe.tokenizer

    # ---- tokenizer and chat template (Z-Image renders it with enable_thinking=True)
    write_tokenizer_fixture(tok, os.path.join(OUT, "tokenizer.json"), enable_thinking=True)

    # ---- text encoder: hidden_states[-2] of the real tokens, per prompt
    prompts = [PROMPTS[0], PROMPTS[1]]
    embeds = pipe._encode_prompt(list(prompts), device="cpu", max_sequence_length=MAX_SEQ)
    save_file(
        {
            "prompt_embeds": f32(torch.cat(embeds, 0)),
            "lengths": torch.tensor([len(e) for e in embeds], dtype=torch.int64),
        },
        os.path.join(OUT, "text_encoder.safetensors"),
    )

    # ---- transformer: fixed latents, timestep and caption features. The image (3×4 patch tokens)
    # and the caption (13 tokens) are both padded to 32 with the learned padding tokens.
    g = torch.Generator().manual_seed(30)
    latents = torch.randn(LATENT_CHANNELS, 1, 6, 8, generator=g)
    cap = torch.randn(13, CAP_DIM, generator=g)
    t = torch.tensor([0.3])
    out = pipe.transformer([latents.clone()], t, [cap.clone()], return_dict=False)[0][0]
    save_file(
        {"latents": f32(latents[:, 0]), "cap_feats": f32(cap), "t": f32(t), "output": f32(out[:, 0])},
        os.path.join(OUT, "transformer.safetensors"),
    )

    # ---- VAE: encode (posterior mode) and decode, as the pipelines call them
    g = torch.Generator().manual_seed(31)
    image = torch.rand(1, 3, 32, 48, generator=g) * 2 - 1
    mode = pipe.vae.encode(image).latent_dist.mode()
    z = torch.randn(1, LATENT_CHANNELS, 4, 6, generator=g)
    decoded = pipe.vae.decode(z / pipe.vae.config.scaling_factor + pipe.vae.config.shift_factor, return_dict=False)[0]
    save_file(
        {"image": f32(image), "latent_mode": f32(mode), "latents": f32(z), "decoded": f32(decoded)},
        os.path.join(OUT, "vae.safetensors"),
    )

    # ---- scheduler: sigmas and timesteps as the pipeline sets them, with the folder's fixed shift
    # and with dynamic shifting (calculate_shift's mu) on
    dynamic = FlowMatchEulerDiscreteScheduler(num_train_timesteps=1000, shift=1.0, use_dynamic_shifting=True, base_shift=0.5, max_shift=1.15, base_image_seq_len=256, max_image_seq_len=4096)
    sched_cases = []
    for name, sched in [("fixed", pipe.scheduler), ("dynamic", dynamic)]:
        for steps, seq in [(8, 4096), (9, 4096), (2, 12), (1, 256), (28, 1024), (50, 16384)]:
            mu = calculate_shift(seq, sched.config.get("base_image_seq_len", 256), sched.config.get("max_image_seq_len", 4096), sched.config.get("base_shift", 0.5), sched.config.get("max_shift", 1.15))
            sched.set_timesteps(steps, sigmas=get_default_z_image_sigmas(steps), mu=mu)
            sched_cases.append({"scheduler": name, "steps": steps, "image_seq_len": seq, "mu": mu, "sigmas": sched.sigmas.tolist(), "timesteps": sched.timesteps.tolist()})
    with open(os.path.join(OUT, "scheduler.json"), "w") as f:
        json.dump({"configs": {"fixed": dict(pipe.scheduler.config), "dynamic": dict(dynamic.config)}, "cases": sched_cases}, f, indent=1)

    # ---- two full sampling steps: Turbo's (guidance 0) and with classifier-free guidance
    g = torch.Generator().manual_seed(32)
    height, width = 48, 64
    noise = torch.randn(1, LATENT_CHANNELS, height // 8, width // 8, generator=g)
    t2i = pipe(prompt=PROMPTS[0], height=height, width=width, num_inference_steps=2, guidance_scale=0.0, latents=noise.clone(), max_sequence_length=MAX_SEQ, output_type="pt").images
    cfg = pipe(prompt=PROMPTS[0], negative_prompt=PROMPTS[1], height=height, width=width, num_inference_steps=2, guidance_scale=2.5, latents=noise.clone(), max_sequence_length=MAX_SEQ, output_type="pt").images
    save_file({"noise": f32(noise[0]), "t2i_image": f32(t2i[0]), "cfg_image": f32(cfg[0])}, os.path.join(OUT, "pipeline.safetensors"))
    with open(os.path.join(OUT, "pipeline.json"), "w") as f:
        json.dump({"prompt": PROMPTS[0], "negative_prompt": PROMPTS[1], "guidance": 2.5, "height": height, "width": width, "steps": 2, "max_sequence_length": MAX_SEQ}, f, indent=1)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
