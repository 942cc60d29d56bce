"""Generate a realistic synthetic corpus of tagged training-run excerpts.

    python bench/generate.py 100000 --out corpus.jsonl [--seed 7]

Each JSONL line is ``{"id", "text"}`` (~800 bytes on average). The output is
a pure function of (N, seed) and is written as a stream, so memory stays
flat for any N. The corpus is meant to look like what a build meets in
practice: model names that recur across papers (a Zipf-like pool of about
N/20 names, some reported with conflicting sizes), many phrasings of each
value, catalogue hardware under its aliases plus some unknown accelerators,
country aliases, hedged values, documents missing tags, vague values that
cannot be read ("several billion") and a few broken tags.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "kg" / "data"

#: Share of documents with each kind of imperfection.
MISSING_TAGS = 0.05
VAGUE_VALUE = 0.01
BROKEN_MARKUP = 0.005
UNKNOWN_HARDWARE = 0.01
CONFLICTING_PARAMS = 0.03
#: Text length aimed at; JSON framing and overshoot bring lines to ~800 bytes.
TARGET_BYTES = 700

# -- vocabulary -------------------------------------------------------------------

STEMS = (
    "Corvid",
    "Heron",
    "Lynx",
    "Orca",
    "Falcon",
    "Marten",
    "Ibis",
    "Kestrel",
    "Otter",
    "Puffin",
    "Quokka",
    "Raven",
    "Sable",
    "Tern",
    "Vole",
    "Wren",
    "Yak",
    "Zebu",
    "Bison",
    "Condor",
    "Dingo",
    "Egret",
    "Ferret",
    "Gecko",
    "Hoopoe",
    "Jackal",
    "Koala",
    "Lemur",
    "Mink",
    "Newt",
    "Ocelot",
    "Pika",
    "Quail",
    "Robin",
    "Stoat",
    "Tapir",
    "Urial",
    "Vireo",
    "Walrus",
    "Xerus",
)
FLAVOURS = (
    "",
    "LM",
    "GPT",
    "BERT",
    "T5",
    "ViT",
    "Coder",
    "Chat",
    "Instruct",
    "Vision",
    "Speech",
    "Med",
    "Math",
    "MoE",
    "Diff",
    "Seg",
    "Det",
    "Rec",
    "Bio",
    "Geo",
    "Lex",
    "Fold",
    "Tab",
    "Graph",
    "Audio",
    "Dial",
    "Sum",
    "QA",
    "Trans",
    "Net",
)
COUNT_WORDS = {
    2: "two",
    4: "four",
    8: "eight",
    16: "sixteen",
    12: "twelve",
    6: "six",
    3: "three",
    32: "thirty-two",
    64: "sixty-four",
    24: "twenty-four",
    48: "forty-eight",
    100: "one hundred",
    200: "two hundred",
}
GPU_COUNTS = (1, 2, 4, 8, 8, 8, 16, 16, 32, 32, 64, 64, 128, 128, 256, 256, 512, 1024, 2048, 4096, 6144)
HEDGES = ("approximately", "about", "around", "roughly", "nearly", "over", "~")
UNKNOWN_ACCELERATORS = (
    "Zephyr ZX-9 accelerators",
    "in-house Tensor Engine v2 chips",
    "Meridian M3 NPUs",
    "Halcyon HX100 cards",
    "QuantaCore Q7 accelerators",
)
VAGUE = {
    "params": ("several billion", "hundreds of millions of"),
    "gpu_count": ("several", "dozens of", "many"),
    "training": ("a few weeks", "several days", "a while"),
}
DURATION_UNITS = (
    ("hours", (6, 12, 18, 24, 36, 48, 72, 96, 120)),
    ("days", (1, 2, 3, 4, 5, 7, 9, 10, 12, 14, 18, 21, 30)),
    ("weeks", (1, 2, 3, 4, 6, 8, 10, 12)),
    ("months", (1, 2, 3, 4, 6)),
)
DURATION_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 6: "six", 8: "eight", 10: "ten", 12: "twelve"}

# Sentences with tagged slots: {model} {params} {gpu_count} {hardware} {training} {country} {year}.
OPENINGS = (
    "We train <model>{model}</model>, a <params>{params}</params> decoder-only transformer.",
    "This paper introduces <model>{model}</model>, which has <params>{params}</params>.",
    "Our model, <model>{model}</model>, contains <params>{params}</params> in total.",
    "We present <model>{model}</model> ({params_tag}), trained from scratch on a curated mixture.",
    "<model>{model}</model> is an encoder-decoder network with <params>{params}</params>.",
    "The main system studied here is <model>{model}</model>, scaled to <params>{params}</params>.",
)
HARDWARE = (
    "Training ran on <gpu_count>{gpu_count}</gpu_count> <hardware>{hardware}</hardware> with data parallelism.",
    "We used <gpu_count>{gpu_count}</gpu_count> <hardware>{hardware}</hardware> connected by a high-bandwidth interconnect.",
    "The job was distributed over <gpu_count>{gpu_count}</gpu_count> <hardware>{hardware}</hardware> accelerators.",
    "All experiments used a cluster of <gpu_count>{gpu_count}</gpu_count> <hardware>{hardware}</hardware>, sharding optimizer state across replicas.",
    "Compute was provided by <gpu_count>{gpu_count}</gpu_count> <hardware>{hardware}</hardware> in a single pod.",
)
DURATIONS = (
    "The full schedule finished in <training>{training}</training>.",
    "Pre-training took <training>{training}</training>, including two restarts after node failures.",
    "End-to-end training lasted <training>{training}</training> of wall-clock time.",
    "Convergence was reached after <training>{training}</training>.",
)
PLACES = (
    "All runs took place in <country>{country}</country> during <year>{year}</year>.",
    "The work was carried out at a research lab in <country>{country}</country> in <year>{year}</year>.",
    "Experiments were conducted in <year>{year}</year> on infrastructure located in <country>{country}</country>.",
    "The cluster is operated by our group in <country>{country}</country>; training was completed in <year>{year}</year>.",
)
FILLER = (
    "Optimization used AdamW with a peak learning rate of 3e-4, linear warm-up and cosine decay to 10% of the peak.",
    "The tokenizer is a byte-fallback BPE with a 64,000-entry vocabulary learned on a sample of the training mixture.",
    "We apply dropout of 0.1 to attention and feed-forward outputs and use gradient clipping at 1.0.",
    "Sequences were 4,096 tokens long and the global batch held roughly 4M tokens.",
    "Evaluation follows the standard protocol, reporting the mean of three seeds with 95% confidence intervals.",
    "Mixed-precision arithmetic in bfloat16 kept memory use within budget without loss scaling.",
    "The data mixture combines filtered web text, permissively licensed code and scientific articles.",
    "We observed a model FLOPs utilization between 38% and 47% depending on sequence length.",
    "Checkpoints were written every 1,000 steps to shared storage and validated asynchronously.",
    "Ablations in Section 5 show that removing the auxiliary loss costs about 0.8 points on average (p < 0.05).",
    "Rotary position embeddings are applied to queries and keys in every attention layer.",
    "We release the weights and the evaluation harness under a permissive license.",
    "Hyper-parameters were tuned on a held-out split and then frozen for all reported runs.",
    "Each layer uses pre-normalization with RMSNorm and a SwiGLU feed-forward block.",
)


# -- value phrasings ----------------------------------------------------------------


def _trim(x: float) -> str:
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


def phrase_params(value: int, rng: random.Random) -> str:
    """One of the many ways papers state a parameter count."""
    if value >= 10**12:
        amount, short, word = value / 10**12, "T", "trillion"
    elif value >= 10**9:
        amount, short, word = value / 10**9, "B", "billion"
    else:
        amount, short, word = value / 10**6, "M", "million"
    template = _PARAM_STYLES[rng.randrange(len(_PARAM_STYLES))]
    return template.format(number=_trim(amount), short=short, word=word)


_PARAM_STYLES = (
    "{number}{short} parameters",
    "{number} {word} parameters",
    "{number}{short}",
    "approximately {number} {word} parameters",
    "{number}{short}-parameter",
    "about {number} {word}",
    "{number} {word} trainable parameters",
    "~{number}{short} params",
)


def phrase_count(count: int, rng: random.Random) -> str:
    style = rng.randrange(6)
    if style == 0 and count in COUNT_WORDS:
        return COUNT_WORDS[count]
    if style == 1 and count >= 1000:
        return f"{count:,}"
    if style == 2:
        return f"{rng.choice(HEDGES[:4])} {count:,}"
    return str(count)


def phrase_duration(rng: random.Random) -> str:
    unit, amounts = rng.choice(DURATION_UNITS)
    amount = rng.choice(amounts)
    shown = DURATION_WORDS[amount] if amount in DURATION_WORDS and rng.random() < 0.3 else str(amount)
    if amount == 1:
        shown, unit = ("one" if rng.random() < 0.5 else "1"), unit[:-1]
    elif unit == "days" and rng.random() < 0.1:
        shown = f"{amount}.5"
    text = f"{shown} {unit}"
    return f"{rng.choice(HEDGES[:5])} {text}" if rng.random() < 0.2 else text


# -- catalogues ---------------------------------------------------------------------


@lru_cache(maxsize=1)
def hardware_names() -> tuple[str, ...]:
    """Names and aliases from the hardware catalogue (kg/data/hardware.csv)."""
    names: list[str] = []
    with (DATA / "hardware.csv").open(encoding="utf-8") as stream:
        for row in csv.DictReader(stream):
            names.append(row["name"])
            names.extend(a for a in (row.get("aliases") or "").split("|") if a)
    return tuple(names)


@lru_cache(maxsize=1)
def country_names() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(common countries as papers write them, every other country name)."""
    common = (
        "the United States",
        "United States",
        "USA",
        "the US",
        "China",
        "the UK",
        "UK",
        "United Kingdom",
        "Germany",
        "France",
        "Canada",
        "Japan",
        "South Korea",
        "Korea",
        "Singapore",
        "Switzerland",
        "Israel",
        "India",
        "the Netherlands",
        "Sweden",
        "Australia",
        "Taiwan",
        "Spain",
        "Italy",
        "the PRC",
        "Finland",
        "Brazil",
        "UAE",
    )
    others: list[str] = []
    with (DATA / "countries.csv").open(encoding="utf-8") as stream:
        others.extend(row["name"] for row in csv.DictReader(stream))
    aliases = DATA / "country_aliases.csv"
    if aliases.exists():
        with aliases.open(encoding="utf-8") as stream:
            others.extend(row["alias"] for row in csv.DictReader(stream) if row["iso2"])
    return common, tuple(others)


# -- models -------------------------------------------------------------------------

_SIZES = (
    60 * 10**6,
    125 * 10**6,
    340 * 10**6,
    770 * 10**6,
    1_300_000_000,
    2_700_000_000,
    6_700_000_000,
    7 * 10**9,
    13 * 10**9,
    30 * 10**9,
    34 * 10**9,
    65 * 10**9,
    70 * 10**9,
    175 * 10**9,
    540 * 10**9,
    1_600_000_000_000,
)


@dataclass(frozen=True)
class Model:
    name: str
    params: int


def model_at(index: int) -> Model:
    """The index-th model of the pool: a unique name and its usual size."""
    stem = STEMS[index % len(STEMS)]
    flavour = FLAVOURS[(index // len(STEMS)) % len(FLAVOURS)]
    generation = index // (len(STEMS) * len(FLAVOURS))
    params = _SIZES[(index * 7919) % len(_SIZES)]
    base = f"{stem}{flavour}" if flavour else stem
    if params >= 10**12:
        size = _trim(params / 10**12) + "T"
    elif params >= 10**9:
        size = _trim(params / 10**9) + "B"
    else:
        size = f"{params // 10**6}M"
    name = f"{base}-{size}" if generation == 0 else f"{base}-{generation + 1}-{size}"
    return Model(name, params)


def zipf_index(pool: int, rng: random.Random) -> int:
    """Log-uniform draw in [0, pool): index k is chosen with probability ~1/(k+1)."""
    return min(pool - 1, int(math.exp(rng.random() * math.log(pool + 1))) - 1)


# -- documents ----------------------------------------------------------------------


def _fill(template: str, values: dict[str, str]) -> str:
    return template.format(**values)


def _break_markup(text: str, rng: random.Random) -> str:
    """Drop one closing tag, leaving an unclosed tag behind."""
    closers = [i for i in range(len(text)) if text.startswith("</", i)]
    at = rng.choice(closers)
    end = text.index(">", at) + 1
    return text[:at] + text[end:]


def document(index: int, pool: int, rng: random.Random) -> dict:
    """One synthetic excerpt, as the JSONL record ``{"id", "text"}``."""
    model = model_at(zipf_index(pool, rng))
    params = model.params
    if rng.random() < CONFLICTING_PARAMS:
        params = rng.choice(_SIZES)
    if rng.random() < UNKNOWN_HARDWARE:
        hardware = rng.choice(UNKNOWN_ACCELERATORS)
    else:
        hardware = rng.choice(hardware_names())
        if rng.random() < 0.3 and not hardware.endswith(("GPU", "GPUs")):
            hardware += " GPUs"
    common, others = country_names()
    country = rng.choice(common) if rng.random() < 0.85 else rng.choice(others)
    values = {
        "model": model.name,
        "params": phrase_params(params, rng),
        "gpu_count": phrase_count(rng.choice(GPU_COUNTS), rng),
        "hardware": hardware,
        "training": phrase_duration(rng),
        "country": country,
        "year": str(rng.randint(2015, 2026)),
    }
    values["params_tag"] = f"<params>{values['params']}</params>"
    if rng.random() < VAGUE_VALUE:
        tag = rng.choice(tuple(VAGUE))
        values[tag] = rng.choice(VAGUE[tag])
        values["params_tag"] = f"<params>{values['params']}</params>"
    sentences = [
        _fill(rng.choice(OPENINGS), values),
        _fill(rng.choice(HARDWARE), values),
        _fill(rng.choice(DURATIONS), values),
        _fill(rng.choice(PLACES), values),
    ]
    if rng.random() < MISSING_TAGS:
        # drop one or two tagged sentences (never the opening one)
        for _ in range(rng.randint(1, 2)):
            sentences.pop(rng.randrange(1, len(sentences)))
    fillers = list(FILLER)
    rng.shuffle(fillers)
    paragraphs: list[list[str]] = [[sentences[0]], [], []]
    for sentence in sentences[1:]:
        paragraphs[rng.randrange(1, 3)].append(sentence)
    size = sum(len(s) + 1 for s in sentences)
    target = rng.randint(TARGET_BYTES - 250, TARGET_BYTES + 250)
    while size < target and fillers:
        filler = fillers.pop()
        paragraphs[rng.randrange(3)].insert(rng.randrange(0, 2), filler)
        size += len(filler) + 1
    text = "\n\n".join(" ".join(p) for p in paragraphs if p)
    if rng.random() < BROKEN_MARKUP:
        text = _break_markup(text, rng)
    return {"id": f"doc-{index:07d}", "text": text}


def generate(n: int, seed: int = 0) -> Iterator[dict]:
    """The corpus of *n* documents for *seed*, one record at a time."""
    rng = random.Random(seed)
    pool = max(1, n // 20)
    for index in range(n):
        yield document(index, pool, rng)


def write_corpus(n: int, out: str | Path, seed: int = 0) -> Path:
    """Write the corpus as JSON Lines (to a temporary name, then renamed)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    with partial.open("w", encoding="utf-8") as stream:
        for record in generate(n, seed):
            stream.write(json.dumps(record, ensure_ascii=False) + "\n")
    partial.replace(out)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of documents")
    parser.add_argument("--out", required=True, help="JSONL file to write")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    path = write_corpus(args.n, args.out, args.seed)
    print(f"wrote {args.n} documents to {path} ({path.stat().st_size / 1e6:.1f} MB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
