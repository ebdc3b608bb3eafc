"""Model and dataset cards whose front matter mirrors the published ones (trimmed).

The texts live in ``cards_data/`` as ``ORG--NAME.md`` (long lines kept as published).
"""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).parent / "cards_data"
CONFIG = '{"architectures": ["LlamaForCausalLM"], "model_type": "llama"}\n'


def card(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


BERT = card("google-bert--bert-base-uncased.md")
NLLB = card("facebook--nllb-200-distilled-600M.md")
LLAMA2 = card("meta-llama--Llama-2-7b-hf.md")
STABLE_DIFFUSION = card("runwayml--stable-diffusion-v1-5.md")
YI = card("01-ai--Yi-34B.md")  # the card before Yi moved to Apache-2.0
YI_LICENSE = card("01-ai--Yi-34B.LICENSE")
GEMMA = card("google--gemma-2b.md")
ULTRACHAT = card("HuggingFaceH4--ultrachat_200k.md")  # a dataset card

# repo id -> (kind, files)
CACHE = {
    "google-bert/bert-base-uncased": ("model", {"README.md": BERT, "config.json": CONFIG}),
    "facebook/nllb-200-distilled-600M": ("model", {"README.md": NLLB}),
    "meta-llama/Llama-2-7b-hf": ("model", {"README.md": LLAMA2, "config.json": CONFIG}),
    "runwayml/stable-diffusion-v1-5": ("model", {"README.md": STABLE_DIFFUSION}),
    "01-ai/Yi-34B": ("model", {"README.md": YI, "LICENSE": YI_LICENSE, "config.json": CONFIG}),
    "google/gemma-2b": ("model", {"README.md": GEMMA}),
    "HuggingFaceH4/ultrachat_200k": ("dataset", {"README.md": ULTRACHAT}),
}
