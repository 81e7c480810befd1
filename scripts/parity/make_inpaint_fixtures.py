"""Inpainting parity fixtures for flowpaint's FLUX.2 [klein] and Z-Image paths (developer tool).

Runs two sampling steps of the reference inpainting pipelines (diffusers' Flux2KleinInpaintPipeline
and ZImageInpaintPipeline, strength 1) on the tiny random folders that make_fixtures.py and
make_zimage_fixtures.py wrote, and saves the input picture, the mask, the initial noise and the
decoded result as inpaint.safetensors/inpaint.json beside those fixtures. Run those two scripts
first (or use the committed folders):

    OMP_NUM_THREADS=1 scripts/parity/.venv/bin/python scripts/parity/make_inpaint_fixtures.py

What the fixtures pin down, and the one place the reference is composed rather than run as is:
- Both pipelines start from pure noise (strength 1) and, after every Euler step, set the kept latents
  to the input's latents re-noised to the next step's sigma with the run's own initial noise
  (scheduler.scale_noise), the last step leaving them exactly the input's. flowpaint's pinned cells
  do the same.
- The masks are aligned to what each pipeline resamples them to (8-pixel latent cells for Z-Image,
  16-pixel packed tokens for klein), so the reference's nearest/bilinear mask resampling is exact
  and flowpaint's pinned latent cells are the same cells.
- ZImageInpaintPipeline draws the input's latents as a posterior *sample* (retrieve_latents' default
  sample_mode); flowpaint takes the posterior mode, as the klein pipelines and Z-Image's own
  text-to-image VAE path do. For the fixture the module's retrieve_latents is made to return the mode
  (the klein inpaint pipeline already uses the mode), so the generator draws only the noise.
"""

import json
import os
import sys

import torch
from PIL import Image
from safetensors.torch import save_file

import diffusers.pipelines.z_image.pipeline_z_image_inpaint as zimage_inpaint
from diffusers import Flux2KleinInpaintPipeline, ZImageInpaintPipeline

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from parity_common import MAX_SEQ, PROMPTS, f32  # noqa: E402

torch.set_grad_enabled(False)

ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.join("src", "model")
HEIGHT, WIDTH = 48, 64


def picture(seed):
    g = torch.Generator().manual_seed(seed)
    return (torch.rand(HEIGHT, WIDTH, 3, generator=g) * 255).round().to(torch.uint8)


def mask_image(x0, y0, x1, y1):
    """White (repaint) inside the pixel rectangle [x0, x1) × [y0, y1), black (keep) outside."""
    m = torch.zeros(HEIGHT, WIDTH, dtype=torch.uint8)
    m[y0:y1, x0:x1] = 255
    return m


def posterior_mode(encoder_output, generator=None, sample_mode="sample"):
    return encoder_output.latent_dist.mode()


def zimage(out):
    zimage_inpaint.retrieve_latents = posterior_mode
    pipe = ZImageInpaintPipeline.from_pretrained(os.path.join(out, "zimage-tiny"), torch_dtype=torch.float32)
    pixels = picture(40)
    mask = mask_image(8, 8, 40, 32)  # latent cells x 1..4, y 1..3 of the 8×6 grid
    seed = 41
    noise = torch.randn(1, 4, HEIGHT // 8, WIDTH // 8, generator=torch.Generator().manual_seed(seed))
    image = pipe(
        prompt=PROMPTS[0], image=Image.fromarray(pixels.numpy(), "RGB"), mask_image=Image.fromarray(mask.numpy(), "L"),
        strength=1.0, height=HEIGHT, width=WIDTH, num_inference_steps=2, guidance_scale=0.0,
        generator=torch.Generator().manual_seed(seed), max_sequence_length=MAX_SEQ, output_type="pt",
    ).images
    return pixels, mask, noise[0], image[0]


def klein(out):
    pipe = Flux2KleinInpaintPipeline.from_pretrained(os.path.join(out, "klein-tiny"), torch_dtype=torch.float32)
    pixels = picture(50)
    mask = mask_image(16, 0, 48, 32)  # packed tokens x 1..2, y 0..1 of the 4×3 grid
    noise = torch.randn(1, 8, HEIGHT // 16, WIDTH // 16, generator=torch.Generator().manual_seed(51))
    image = pipe(
        prompt=PROMPTS[1], image=Image.fromarray(pixels.numpy(), "RGB"), mask_image=Image.fromarray(mask.numpy(), "L"),
        strength=1.0, height=HEIGHT, width=WIDTH, num_inference_steps=2, guidance_scale=1.0,
        latents=noise.clone(), max_sequence_length=MAX_SEQ, output_type="pt",
    ).images
    return pixels, mask, noise, image


def main():
    for name, run, prompt in [("zimage", zimage, PROMPTS[0]), ("flux2", klein, PROMPTS[1])]:
        out = os.path.join(ROOT, name, "testdata")
        pixels, mask, noise, image = run(out)
        save_file(
            {"pixels": pixels.contiguous(), "mask": mask.contiguous(), "noise": f32(noise), "image": f32(image)},
            os.path.join(out, "inpaint.safetensors"),
        )
        with open(os.path.join(out, "inpaint.json"), "w") as f:
            json.dump({"prompt": prompt, "height": HEIGHT, "width": WIDTH, "steps": 2, "max_sequence_length": MAX_SEQ}, f, indent=1)
        print("wrote", out)


if __name__ == "__main__":
    main()
