"""What the parity fixture scripts share (make_fixtures.py for FLUX.2 [klein], make_zimage_fixtures.py
for Z-Image, make_inpaint_fixtures.py for both): the tiny byte-level BPE tokenizer with the Qwen3 turn
format, the prompts, the tiny Qwen3 and VAE configurations, and how random weights are spread so that
a wrong norm, padding token or path shows in the outputs. Developer tool only.
"""

import json
import os
import shutil

import torch
from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers
from transformers import Qwen2TokenizerFast, Qwen3Config

# Short text sequences keep fixtures small; the product uses the pipelines' 512.
MAX_SEQ = 24

# Qwen2/Qwen3's pre-tokenizer split pattern (a published fact of their tokenizer.json).
QWEN_SPLIT = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)
SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
# Added but not special (as in Qwen3): they are matched whole but kept when decoding.
THINK = ["<think>", "</think>"]

# A chat template written for these fixtures that renders the Qwen3 turn format (one user turn,
# generation prompt, thinking off: an empty think block). The real folders carry Qwen3's own.
CHAT_TEMPLATE = (
    "{%- for message in messages -%}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}"
    "{{ '<|im_start|>assistant\\n' }}"
    "{%- if enable_thinking is defined and enable_thinking is false -%}"
    "{{ '<think>\\n\\n</think>\\n\\n' }}"
    "{%- endif -%}"
    "{%- endif -%}"
)

CORPUS = [
    "a red apple left of a cat on a blue background",
    "two yellow stars above a green tree",
    "make the tree red",
    "remove the cat",
    "A photo of a dog dancing in the rain, 35mm, golden hour!",
    "Ünïcödé wörds, emoji 🍎🐱 and numbers 1234567",
    "user assistant system think",
] * 4

PROMPTS = [
    "a red apple left of a cat on a blue background",
    "Make the sky ORANGE, keep the 3 birds.",
    "Ünïcödé 🍎 and\ttabs\nnewlines   spaces",
    "",
]


def build_tokenizer(path):
    """Trains the tiny tokenizer, saves it (tokenizer.json, tokenizer_config.json) to `path` and reloads it."""
    tok = Tokenizer(models.BPE(unk_token=None, fuse_unk=False, byte_fallback=False))
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(QWEN_SPLIT), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False),
        ]
    )
    tok.decoder = decoders.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False)
    trainer = trainers.BpeTrainer(
        vocab_size=400,
        min_frequency=2,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        special_tokens=[],
        show_progress=False,
    )
    tok.train_from_iterator(CORPUS, trainer)
    tok.add_special_tokens(SPECIALS)
    tok.add_tokens(THINK)
    fast = Qwen2TokenizerFast(
        tokenizer_object=tok,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        unk_token=None,
        bos_token=None,
        clean_up_tokenization_spaces=False,
        model_max_length=MAX_SEQ * 64,
    )
    fast.chat_template = CHAT_TEMPLATE
    fast.save_pretrained(path)
    return Qwen2TokenizerFast.from_pretrained(path)


def chat_text(tok, prompt, enable_thinking):
    return tok.apply_chat_template([{"role": "user", "content": prompt}], tokenize=False, add_generation_prompt=True, enable_thinking=enable_thinking)


def write_tokenizer_fixture(tok, path, enable_thinking, raw_ids=False):
    """tokenizer.json: each prompt's chat text and its padded ids and mask (and, if asked, the bare prompt's ids)."""
    cases = []
    for p in PROMPTS:
        text = chat_text(tok, p, enable_thinking)
        enc = tok(text, padding="max_length", truncation=True, max_length=MAX_SEQ)
        case = {"prompt": p, "chat_text": text}
        if raw_ids:
            case["raw_ids"] = tok(p)["input_ids"]
        case.update(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"])
        cases.append(case)
    with open(path, "w") as f:
        json.dump({"max_length": MAX_SEQ, "cases": cases}, f, ensure_ascii=False, indent=1)


def tiny_qwen3_config(tokenizer, hidden_size, intermediate_size, num_hidden_layers):
    """A Qwen3 text encoder as the real ones are shaped (GQA: 2 query heads per key/value head, QK-norm), only smaller."""
    return Qwen3Config(
        vocab_size=len(tokenizer),
        hidden_size=hidden_size,
        intermediate_size=intermediate_size,
        num_hidden_layers=num_hidden_layers,
        num_attention_heads=4,
        num_key_value_heads=2,
        head_dim=4,
        max_position_embeddings=4096,
        rope_theta=1000000.0,
        rms_norm_eps=1e-6,
        tie_word_embeddings=True,
        attention_bias=False,
        pad_token_id=tokenizer.pad_token_id,
    )


# The KL VAE's blocks as in the real FLUX VAEs (four blocks: three downsamplings, 8 pixels per
# latent position), with few channels. Each script adds its latent channels and variant's options.
TINY_VAE = dict(
    in_channels=3,
    out_channels=3,
    down_block_types=("DownEncoderBlock2D",) * 4,
    up_block_types=("UpDecoderBlock2D",) * 4,
    block_out_channels=(4, 4, 8, 8),
    layers_per_block=1,
    norm_num_groups=2,
    sample_size=32,
    mid_block_add_attention=True,
)


def spread_norms(module):
    """Random init leaves norm weights at 1; give them values so that a wrong norm weight shows."""
    for name, p in module.named_parameters():
        if "norm" in name:
            p.data = 1 + 0.2 * torch.randn_like(p)


def spread_transformer(module):
    """Norm weights spread around 1; learned padding tokens (zeros by default) random, so a wrong one
    shows; every other weight doubled, as the default init is tiny and every path should matter."""
    for name, p in module.named_parameters():
        if "norm" in name:
            p.data = 1 + 0.2 * torch.randn_like(p)
        elif "pad_token" in name:
            p.data = torch.randn_like(p)
        else:
            p.data = p.data * 2.0


def spread_vae_norms(vae):
    """Group-norm weights spread around 1 and biases around 0."""
    for name, p in vae.named_parameters():
        if "norm" in name:
            p.data = 1 + 0.2 * torch.randn_like(p) if name.endswith("weight") else 0.1 * torch.randn_like(p)


def fresh_dir(path):
    if os.path.exists(path):
        shutil.rmtree(path)
    os.makedirs(path, exist_ok=True)


def f32(t):
    return t.detach().to(torch.float32).contiguous()
