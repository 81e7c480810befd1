"""Parity fixtures for flowpaint's FLUX.2 [klein] loader (developer tool, not part of the product).

Builds tiny random configurations of the real FLUX.2 klein components with the reference
implementation (diffusers' Flux2Transformer2DModel, AutoencoderKLFlux2, FlowMatchEulerDiscreteScheduler
and Flux2KleinPipeline; transformers' Qwen3ForCausalLM and a Qwen2-style tokenizer.json), saves them
in the folder layout of a downloaded model (`save_pretrained`), runs the reference in float32 and
writes its inputs and outputs as small safetensors/JSON fixtures. The TypeScript tests in
src/model/flux2/ compare against these files; CI needs only the files, never this script.

    python3 -m venv scripts/parity/.venv
    scripts/parity/.venv/bin/pip install -r scripts/parity/requirements.txt
    OMP_NUM_THREADS=1 scripts/parity/.venv/bin/python scripts/parity/make_fixtures.py [OUT_DIR]

OUT_DIR defaults to src/model/flux2/testdata. Everything is seeded: a rerun writes the same numbers
(up to the reference's own float non-determinism, which is far below the tests' tolerance).
"""

import json
import os
import shutil
import sys

import numpy as np
import torch
from PIL import Image
from safetensors.torch import save_file
from transformers import Qwen3ForCausalLM

from diffusers import (
    AutoencoderKLFlux2,
    FlowMatchEulerDiscreteScheduler,
    Flux2KleinPipeline,
    Flux2Transformer2DModel,
)
from diffusers.pipelines.flux2.pipeline_flux2_klein import compute_empirical_mu

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from parity_common import MAX_SEQ, PROMPTS, TINY_VAE, build_tokenizer, chat_text, f32, fresh_dir, spread_norms, spread_transformer, spread_vae_norms, tiny_qwen3_config, write_tokenizer_fixture  # noqa: E402

torch.set_grad_enabled(False)

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join("src", "model", "flux2", "testdata")
MODEL_DIR = os.path.join(OUT, "klein-tiny")


def build_components():
    torch.manual_seed(0)
    tokenizer = build_tokenizer(os.path.join(MODEL_DIR, "tokenizer"))

    # 28 layers so hidden state 27 (the deepest the pipeline stacks) is a layer output before the
    # final norm, as in the 36-layer Qwen3-4B. GQA (2 query heads per key/value head) and QK-norm.
    te_config = tiny_qwen3_config(tokenizer, hidden_size=8, intermediate_size=12, num_hidden_layers=28)
    torch.manual_seed(1)
    text_encoder = Qwen3ForCausalLM(te_config)
    spread_norms(text_encoder)
    text_encoder = text_encoder.to(torch.bfloat16)

    torch.manual_seed(2)
    transformer = Flux2Transformer2DModel(
        patch_size=1,
        in_channels=8,
        num_layers=2,
        num_single_layers=2,
        attention_head_dim=8,
        num_attention_heads=2,
        joint_attention_dim=3 * 8,
        timestep_guidance_channels=32,
        mlp_ratio=3.0,
        axes_dims_rope=(2, 2, 2, 2),
        rope_theta=2000,
        guidance_embeds=False,
    )
    spread_transformer(transformer)

    torch.manual_seed(3)
    vae = AutoencoderKLFlux2(
        **TINY_VAE,
        latent_channels=2,
        use_quant_conv=True,
        use_post_quant_conv=True,
        batch_norm_eps=1e-4,
        patch_size=(2, 2),
    )
    spread_vae_norms(vae)
    vae.bn.running_mean.copy_(0.3 * torch.randn_like(vae.bn.running_mean))
    vae.bn.running_var.copy_(0.5 + torch.rand_like(vae.bn.running_var))

    scheduler = FlowMatchEulerDiscreteScheduler(
        num_train_timesteps=1000,
        shift=3.0,
        use_dynamic_shifting=True,
        base_shift=0.5,
        max_shift=1.15,
        base_image_seq_len=256,
        max_image_seq_len=4096,
        time_shift_type="exponential",
    )
    pipe = Flux2KleinPipeline(
        scheduler=scheduler,
        vae=vae,
        text_encoder=text_encoder,
        tokenizer=tokenizer,
        transformer=transformer,
        is_distilled=True,
    )
    return pipe


def save_model(pipe):
    # The transformer in shards (an index and several files), the text encoder in bfloat16, the VAE
    # in float32: the loader's three cases, in the layout from_pretrained reads.
    pipe.save_pretrained(MODEL_DIR, safe_serialization=True)
    shutil.rmtree(os.path.join(MODEL_DIR, "transformer"))
    pipe.transformer.save_pretrained(os.path.join(MODEL_DIR, "transformer"), max_shard_size="40KB")


def main():
    fresh_dir(MODEL_DIR)
    pipe = build_components()
    save_model(pipe)
    # Reload as a user would, in float32: the reference the TypeScript side must match.
    pipe = Flux2KleinPipeline.from_pretrained(MODEL_DIR, torch_dtype=torch.float32)
    tok = pipe.tokenizer

    # ---- tokenizer and chat template (klein renders it with enable_thinking=False)
    write_tokenizer_fixture(tok, os.path.join(OUT, "tokenizer.json"), enable_thinking=False, raw_ids=True)

    # ---- text encoder: stacked hidden states (9, 18, 27)
    prompt = PROMPTS[0]
    embeds = pipe._get_qwen3_prompt_embeds(
        pipe.text_encoder, tok, [prompt, PROMPTS[1]], dtype=torch.float32, device="cpu", max_sequence_length=MAX_SEQ
    )
    enc = tok(
        [
            chat_text(tok, q, enable_thinking=False)
            for q in [prompt, PROMPTS[1]]
        ],
        padding="max_length",
        truncation=True,
        max_length=MAX_SEQ,
        return_tensors="pt",
    )
    save_file(
        {
            "input_ids": enc["input_ids"].to(torch.int64).contiguous(),
            "attention_mask": enc["attention_mask"].to(torch.int64).contiguous(),
            "prompt_embeds": f32(embeds),
        },
        os.path.join(OUT, "text_encoder.safetensors"),
    )

    # ---- transformer: fixed latents, timestep, text states; with reference tokens (an edit)
    g = torch.Generator().manual_seed(10)
    lat_h, lat_w = 3, 4  # packed latent grid (an 8·2·3 × 8·2·4 = 48×64 image)
    n_img = lat_h * lat_w
    hidden = torch.randn(1, n_img, 8, generator=g)
    ref = torch.randn(1, 2 * 2, 8, generator=g)  # a 2×2 reference latent
    txt = torch.randn(1, MAX_SEQ, 24, generator=g)
    img_ids = Flux2KleinPipeline._prepare_latent_ids(torch.zeros(1, 8, lat_h, lat_w))
    ref_ids = Flux2KleinPipeline._prepare_image_ids([torch.zeros(1, 8, 2, 2)])
    txt_ids = Flux2KleinPipeline._prepare_text_ids(txt)
    t = torch.tensor([0.7])
    out = pipe.transformer(hidden_states=hidden, encoder_hidden_states=txt, timestep=t, img_ids=img_ids, txt_ids=txt_ids, guidance=None, return_dict=False)[0]
    out_ref = pipe.transformer(
        hidden_states=torch.cat([hidden, ref], 1),
        encoder_hidden_states=txt,
        timestep=t,
        img_ids=torch.cat([img_ids, ref_ids], 1),
        txt_ids=txt_ids,
        guidance=None,
        return_dict=False,
    )[0]
    save_file(
        {
            "hidden_states": f32(hidden),
            "ref_hidden_states": f32(ref),
            "encoder_hidden_states": f32(txt),
            "img_ids": img_ids.to(torch.int64).contiguous(),
            "ref_ids": ref_ids.to(torch.int64).contiguous(),
            "txt_ids": txt_ids.to(torch.int64).contiguous(),
            "timestep": f32(t),
            "output": f32(out),
            "output_with_ref": f32(out_ref),
        },
        os.path.join(OUT, "transformer.safetensors"),
    )

    # ---- VAE: encode (mode of the posterior, then patchify and batch-norm, as the pipeline does) and decode
    g = torch.Generator().manual_seed(11)
    image = torch.rand(1, 3, 32, 48, generator=g) * 2 - 1
    moments = pipe.vae.encode(image).latent_dist.mode()
    image_latents = pipe._encode_vae_image(image, generator=None)
    latents = torch.randn(1, 2, 4, 6, generator=g)
    decoded = pipe.vae.decode(latents, return_dict=False)[0]
    save_file(
        {
            "image": f32(image),
            "latent_mode": f32(moments),
            "image_latents": f32(image_latents),
            "latents": f32(latents),
            "decoded": f32(decoded),
            "bn_mean": f32(pipe.vae.bn.running_mean),
            "bn_var": f32(pipe.vae.bn.running_var),
        },
        os.path.join(OUT, "vae.safetensors"),
    )

    # ---- scheduler: sigmas and timesteps as the klein pipeline sets them
    sched_cases = []
    for steps, seq in [(4, 1024), (4, 4096), (2, 12), (28, 1024), (50, 6000), (1, 256)]:
        sigmas = np.linspace(1.0, 1 / steps, steps)
        mu = compute_empirical_mu(image_seq_len=seq, num_steps=steps)
        pipe.scheduler.set_timesteps(steps, sigmas=sigmas, mu=mu)
        sched_cases.append(
            {
                "steps": steps,
                "image_seq_len": seq,
                "mu": mu,
                "sigmas": pipe.scheduler.sigmas.tolist(),
                "timesteps": pipe.scheduler.timesteps.tolist(),
            }
        )
    with open(os.path.join(OUT, "scheduler.json"), "w") as f:
        json.dump({"config": dict(pipe.scheduler.config), "cases": sched_cases}, f, indent=1)

    # ---- two full sampling steps: text-to-image, and an edit with a reference image
    g = torch.Generator().manual_seed(12)
    height, width = 48, 64
    s = 2 * pipe.vae_scale_factor  # pixels per packed latent token
    noise = torch.randn(1, 8, height // s, width // s, generator=g)
    t2i = pipe(
        prompt=PROMPTS[0], height=height, width=width, num_inference_steps=2, guidance_scale=1.0,
        latents=noise.clone(), max_sequence_length=MAX_SEQ, output_type="pt",
    ).images
    # The pipeline refuses references under 64 px a side; 80×64 is a multiple of 16, so it is not resized.
    ref_pixels = (torch.rand(64, 80, 3, generator=g) * 255).round().to(torch.uint8)
    ref_image = Image.fromarray(ref_pixels.numpy(), "RGB")
    edit = pipe(
        image=ref_image, prompt=PROMPTS[1], height=height, width=width, num_inference_steps=2, guidance_scale=1.0,
        latents=noise.clone(), max_sequence_length=MAX_SEQ, output_type="pt",
    ).images
    save_file(
        {
            "noise": f32(noise),
            "t2i_image": f32(t2i),
            "ref_pixels": ref_pixels.contiguous(),
            "edit_image": f32(edit),
        },
        os.path.join(OUT, "pipeline.safetensors"),
    )
    with open(os.path.join(OUT, "pipeline.json"), "w") as f:
        json.dump(
            {"t2i_prompt": PROMPTS[0], "edit_prompt": PROMPTS[1], "height": height, "width": width, "ref_height": 64, "ref_width": 80, "steps": 2, "max_sequence_length": MAX_SEQ},
            f,
            indent=1,
        )
    print("wrote", OUT)


if __name__ == "__main__":
    main()
