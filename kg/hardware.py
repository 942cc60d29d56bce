"""The accelerator catalogue and the resolver from free text to a catalogue entry.

Papers name their hardware in many ways ("8x NVIDIA A100-SXM4-80GB GPUs",
"TPUv4 pods", "Ascend 910B NPUs"). To merge such mentions across papers, the
text is reduced to a compact key (manufacturer, count and plural noise
removed, memory and form factor set aside) and looked up among the keys of
catalogue names, ids and aliases. Memory and form factor then pick the
matching variant of a family, so "A100 80GB" lands on the 80 GB variant while
"A100" stays on the family.

Accelerator facts from Epoch AI, ML Hardware dataset (CC BY 4.0),
https://epoch.ai/data/machine-learning-hardware, and vendor datasheets.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Iterable, Iterator

CATALOGUE_CREDIT = (
    "Accelerator facts from Epoch AI, ML Hardware dataset (CC BY 4.0), "
    "https://epoch.ai/data/machine-learning-hardware, and vendor datasheets."
)

COLUMNS = (
    "id",
    "name",
    "manufacturer",
    "type",
    "family",
    "memory_gb",
    "form_factor",
    "release_year",
    "fp16_flops",
    "fp32_flops",
    "tf32_flops",
    "fp8_flops",
    "cores_per_chip",
    "aliases",
    "source",
)

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# Words that say how many or what kind of thing, never which model.
NOISE_WORDS = frozenset(
    """
    gpu gpus npu npus hpu hpus chip chips accelerator accelerators card cards
    pod pods slice slices node nodes core cores device devices processor processors
    unit units board boards instance instances server servers machine machines
    cluster clusters system systems
    with and of the a an in on using memory ram vram
    hbm hbm2 hbm2e hbm3 hbm3e gddr5 gddr6 gddr6x
    """.split()
)

# Vendor and product-line words: they come before the model number but do not pick it.
BRAND_WORDS = frozenset(
    """
    nvidia tesla geforce google cloud amd radeon instinct intel habana
    huawei cerebras graphcore amazon aws
    """.split()
)

# Plurals of model-bearing words ("Graphcore IPUs"); other plurals are noise words.
PLURALS = {"tpus": "tpu", "ipus": "ipu"}

_LEADING_COUNT = re.compile(r"^\s*\d+\s*[x×*]\s*")
_MEMORY = re.compile(r"(?<![a-z0-9.])(\d+(?:\.\d+)?)\s*-?\s*gi?b\b")
_PCIE = re.compile(r"\bpci[\s-]?e(?:xpress)?\b|\bpci[\s-]express\b")
_FORM_FACTOR = re.compile(r"^(?:pcie|sxm[1-9]?|oam)$")
_POSSESSIVE = re.compile(r"['’]s\b")
_SEPARATORS = re.compile(r"[\W_]+")
_MAX_SPAN = 8


@dataclass(frozen=True)
class Accelerator:
    """One catalogue row: a family, or a memory/form-factor variant of one."""

    id: str
    name: str
    manufacturer: str
    type: str
    family: str | None
    memory_gb: Decimal | None
    form_factor: str | None
    release_year: int | None
    fp16_flops: float | None
    aliases: tuple[str, ...]
    source: str
    #: cores per chip, for accelerators that papers count in cores (TPU v2/v3)
    cores_per_chip: int | None = None
    #: peak dense FLOP/s in other numerical formats (training compute estimates)
    fp32_flops: float | None = None
    tf32_flops: float | None = None
    fp8_flops: float | None = None

    def peak(self, numerical_format: str) -> float | None:
        """Peak FLOP/s for "FP16" (FP16/BF16 tensor), "FP32", "TF32" or "FP8"; None when unknown."""
        return {"FP16": self.fp16_flops, "FP32": self.fp32_flops, "TF32": self.tf32_flops, "FP8": self.fp8_flops}[
            numerical_format
        ]


@dataclass(frozen=True)
class _Parsed:
    """Hardware text split into what names the model and what narrows it."""

    tokens: tuple[str, ...]
    memory_gb: Decimal | None
    form_factor: str | None

    @property
    def key(self) -> str:
        return "".join(self.tokens)


def _normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _parse(text: str) -> _Parsed:
    """Set memory and form factor aside and drop count, brand and noise words."""
    s = _normalize(text)
    s = _LEADING_COUNT.sub(" ", s)
    s = _POSSESSIVE.sub("", s)
    memory = None
    found = _MEMORY.search(s)
    if found:
        memory = Decimal(found.group(1))
        s = s[: found.start()] + " " + s[found.end() :]
    s = _PCIE.sub(" pcie ", s)
    form = None
    tokens: list[str] = []
    for token in _SEPARATORS.split(s):
        if not token or token in NOISE_WORDS or token in BRAND_WORDS:
            continue
        token = PLURALS.get(token, token)
        if _FORM_FACTOR.match(token):
            form = form or token
            continue
        tokens.append(token)
    return _Parsed(tuple(tokens), memory, form)


def _form_matches(stated: str, form_factor: str) -> bool:
    """A bare "SXM" matches any SXM generation; otherwise forms must be equal."""
    have = form_factor.casefold()
    return stated == have or (stated == "sxm" and have.startswith("sxm"))


class Catalogue:
    """Accelerators by id, with a key index for resolving free text."""

    def __init__(self, accelerators: Iterable[Accelerator]):
        self._rows: dict[str, Accelerator] = {}
        for acc in accelerators:
            if acc.id in self._rows:
                raise ValueError(f"duplicate hardware id {acc.id!r}")
            if not ID_PATTERN.match(acc.id):
                raise ValueError(f"hardware id {acc.id!r} is not a lowercase slug")
            self._rows[acc.id] = acc
        for acc in self._rows.values():
            if acc.family is not None:
                family = self._rows.get(acc.family)
                if family is None or family.family is not None:
                    raise ValueError(f"{acc.id!r} names {acc.family!r}, which is not a family row")
        self._index: dict[str, Accelerator] = {}
        self._variants: dict[str, list[Accelerator]] = {}
        self._build_index()

    def _names(self, acc: Accelerator) -> list[str]:
        return [acc.name, acc.id, *acc.aliases]

    def _keys(self, acc: Accelerator) -> set[str]:
        keys = {_parse(text).key for text in self._names(acc)}
        if "" in keys:
            raise ValueError(f"{acc.id!r} has a name or alias made only of noise words")
        return keys

    def _build_index(self) -> None:
        families = {a.id: self._keys(a) for a in self._rows.values() if a.family is None}
        for acc in self._rows.values():
            keys = self._keys(acc)
            if acc.family is not None:
                family_keys = families[acc.family]
                if _parse(acc.name).key in family_keys:
                    # A plain memory/form variant: reached from its family by refinement.
                    self._variants.setdefault(acc.family, []).append(acc)
                keys -= family_keys
            for key in keys:
                other = self._index.setdefault(key, acc)
                if other is not acc:
                    raise ValueError(f"{other.id!r} and {acc.id!r} share the name key {key!r}")

    def __iter__(self) -> Iterator[Accelerator]:
        return iter(self._rows.values())

    def __len__(self) -> int:
        return len(self._rows)

    def get(self, id: str) -> Accelerator | None:
        return self._rows.get(id)

    def __getitem__(self, id: str) -> Accelerator:
        """The row with this id, which a catalogue lookup gave (a KeyError is a bug)."""
        return self._rows[id]

    def family_of(self, acc: Accelerator) -> Accelerator | None:
        """The family row of a variant; None for a family row."""
        return self._rows.get(acc.family) if acc.family else None

    def resolve(self, text: str) -> Accelerator | None:
        """The catalogue entry the text names, or None when it names none.

        The longest run of words matching a known key wins, so "Ascend 910B"
        never falls back to "Ascend 910" and "A100" never matches "A10".
        """
        parsed = _parse(text)
        best: tuple[int, int, Accelerator] | None = None
        tokens = parsed.tokens
        for start in range(len(tokens)):
            for end in range(start + 1, min(len(tokens), start + _MAX_SPAN) + 1):
                acc = self._index.get("".join(tokens[start:end]))
                if acc is None:
                    continue
                rank = (sum(len(t) for t in tokens[start:end]), -start)
                if best is None or rank > best[:2]:
                    best = (*rank, acc)
        if best is None:
            return None
        return self._refine(best[2], parsed.memory_gb, parsed.form_factor)

    def _refine(self, acc: Accelerator, memory: Decimal | None, form: str | None) -> Accelerator:
        """Pick the one variant of a family that fits the stated memory and form."""
        candidates = self._variants.get(acc.id, [])
        if acc.family is not None or not candidates or (memory is None and form is None):
            return acc
        if memory is not None:
            candidates = [v for v in candidates if v.memory_gb == memory]
        if form is not None and any(v.form_factor for v in candidates):
            candidates = [v for v in candidates if v.form_factor and _form_matches(form, v.form_factor)]
        return candidates[0] if len(candidates) == 1 else acc


def _optional(value: str) -> str | None:
    value = value.strip()
    return value or None


def _row(record: dict[str, str], line: int) -> Accelerator:
    try:
        memory = _optional(record["memory_gb"])
        year = _optional(record["release_year"])
        flops = _optional(record["fp16_flops"])
        return Accelerator(
            id=record["id"].strip(),
            name=record["name"].strip(),
            manufacturer=record["manufacturer"].strip(),
            type=record["type"].strip(),
            family=_optional(record["family"]),
            memory_gb=Decimal(memory) if memory else None,
            form_factor=_optional(record["form_factor"]),
            release_year=int(year) if year else None,
            fp16_flops=float(flops) if flops else None,
            cores_per_chip=int(cores) if (cores := _optional(record["cores_per_chip"])) else None,
            **{
                name: float(v) if (v := _optional(record[name])) else None
                for name in ("fp32_flops", "tf32_flops", "fp8_flops")
            },
            aliases=tuple(a.strip() for a in record["aliases"].split("|") if a.strip()),
            source=record["source"].strip(),
        )
    except (InvalidOperation, ValueError) as err:
        raise ValueError(f"hardware catalogue line {line}: {err}") from err


def _read(text: str) -> Catalogue:
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise ValueError(f"hardware catalogue columns must be {','.join(COLUMNS)}")
    return Catalogue(_row(record, n) for n, record in enumerate(reader, start=2))


@lru_cache(maxsize=1)
def _default_catalogue() -> Catalogue:
    data = resources.files("kg").joinpath("data/hardware.csv")
    return _read(data.read_text(encoding="utf-8"))


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """The bundled catalogue (read once), or the one at `path`."""
    if path is None:
        return _default_catalogue()
    return _read(Path(path).read_text(encoding="utf-8"))


def resolve_hardware(text: str) -> Accelerator | None:
    """Resolve against the bundled catalogue."""
    return load_catalogue().resolve(text)


def manufacturer_id(name: str) -> str:
    """IRI slug of a manufacturer name: "NVIDIA" -> "nvidia", "Amazon AWS" -> "amazon-aws"."""
    return "-".join(t for t in _SEPARATORS.split(_normalize(name)) if t)


def hardware_key(text: str) -> str:
    """Stable IRI key for hardware the catalogue does not know.

    Spellings that differ only in case, width, count or plural noise words
    share a key ("Atlantis accelerators" and "8x ATLANTIS" -> "atlantis").
    Returns "" only for blank text.
    """
    s = _normalize(text).strip()
    if not s:
        return ""
    words = [t for t in _SEPARATORS.split(_LEADING_COUNT.sub(" ", s)) if t]
    kept = [t for t in words if t not in NOISE_WORDS] or words
    if kept:
        return "-".join(kept)
    return "h-" + hashlib.sha256(s.encode("utf-8")).hexdigest()[:12]
