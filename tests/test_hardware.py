from __future__ import annotations

import csv
import re
from decimal import Decimal
from pathlib import Path

import pytest

from kg.hardware import (
    CATALOGUE_CREDIT,
    COLUMNS,
    Accelerator,
    Catalogue,
    hardware_key,
    load_catalogue,
    manufacturer_id,
    resolve_hardware,
)

EPOCH_CSV = Path("/work/shared/data/epoch_ml_hardware.csv")
SOURCES = {"Epoch AI ML Hardware", "vendor datasheet", "Epoch AI ML Hardware; vendor datasheet"}


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NVIDIA A100 80GB GPUs", "nvidia-a100-80gb"),
        ("A100 GPUs", "nvidia-a100"),
        ("Tesla V100 32GB", "nvidia-v100-32gb"),
        ("TPU v5e pods", "google-tpu-v5e"),
        ("H100 PCIe", "nvidia-h100-pcie"),
        ("NVIDIA H100 GPUs", "nvidia-h100"),
        ("AMD Instinct MI250X", "amd-instinct-mi250x"),
        ("Huawei Ascend 910B NPUs", "huawei-ascend-910b"),
        ("Intel Gaudi 3", "intel-gaudi-3"),
        ("Gaudi3", "intel-gaudi-3"),
        ("TPUv4", "google-tpu-v4"),
        ("TPU v4 chips", "google-tpu-v4"),
        ("Cloud TPU v4", "google-tpu-v4"),
        ("A100-SXM4-40GB", "nvidia-a100-40gb"),
        ("RTX 4090", "nvidia-rtx-4090"),
        ("NVIDIA GeForce RTX 4090 GPUs", "nvidia-rtx-4090"),
        ("Ascend 910B", "huawei-ascend-910b"),
        ("Ascend 910", "huawei-ascend-910"),
        ("A10", "nvidia-a10"),
        ("A10 GPUs", "nvidia-a10"),
        ("A10G", "nvidia-a10g"),
        ("8x A100", "nvidia-a100"),
        ("8 × H100 SXM5 80GB", "nvidia-h100-sxm"),
        ("H100 SXM", "nvidia-h100-sxm"),
        ("H100 NVL", "nvidia-h100-nvl"),
        ("NVIDIA A100 (80 GB)", "nvidia-a100-80gb"),
        ("A100 80-GB", "nvidia-a100-80gb"),
        ("V100 GPUs (16 GB)", "nvidia-v100-16gb"),
        ("Tesla V100-SXM2-32GB", "nvidia-v100-32gb"),
        ("Google's TPUv4 pods", "google-tpu-v4"),
        ("TPU v3-8", "google-tpu-v3"),
        ("TPU v6e Trillium chips", "google-tpu-v6e"),
        ("DGX A100", "nvidia-a100"),
        ("ＮＶＩＤＩＡ　Ａ１００", "nvidia-a100"),
        ("nvidia a100", "nvidia-a100"),
        ("Habana Gaudi2 HPUs", "intel-gaudi-2"),
        ("Gaudi", "intel-gaudi"),
        ("MI250", "amd-instinct-mi250"),
        ("MI300X accelerators", "amd-instinct-mi300x"),
        ("Graphcore IPUs", "graphcore-colossus-mk2"),
        ("Cloud TPUs v4", "google-tpu-v4"),
        ("Cerebras CS-2", "cerebras-wse-2"),
        ("AWS Trainium chips", "amazon-trainium"),
        ("Trainium2", "amazon-trainium2"),
        ("L40S", "nvidia-l40s"),
        ("L40", "nvidia-l40"),
        ("Intel Data Center GPU Max 1550", "intel-data-center-gpu-max-1550"),
        ("nvidia-h100-pcie", "nvidia-h100-pcie"),
        # stated memory or form factor that fits no single variant stays on the family
        ("H100 80GB", "nvidia-h100"),
        ("H100 SXM4", "nvidia-h100"),
        ("A100 PCIe", "nvidia-a100"),
        ("V100 24GB", "nvidia-v100"),
        # never a prefix of a longer model number, never a fuzzy guess
        ("H1000", None),
        ("A1000", None),
        ("Ascend 9100", None),
        ("Atlantis accelerator", None),
        ("quantum abacus", None),
        ("GPUs", None),
        ("", None),
        ("   ", None),
    ],
)
def test_resolve(catalogue: Catalogue, text: str, expected: str | None) -> None:
    found = catalogue.resolve(text)
    assert (found.id if found else None) == expected


def test_resolve_hardware_uses_bundled_catalogue() -> None:
    assert resolve_hardware("NVIDIA A100 80GB GPUs") == load_catalogue().get("nvidia-a100-80gb")
    assert load_catalogue() is load_catalogue()


def test_every_name_alias_and_id_resolves_to_its_own_row(catalogue: Catalogue) -> None:
    wrong = [
        (text, acc.id, getattr(catalogue.resolve(text), "id", None))
        for acc in catalogue
        for text in (acc.name, acc.id, *acc.aliases)
        if catalogue.resolve(text) is not acc
    ]
    assert wrong == []


def test_catalogue_size_and_ids(catalogue: Catalogue) -> None:
    ids = [acc.id for acc in catalogue]
    assert len(catalogue) >= 45
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", i) for i in ids)


def test_variants_point_at_family_rows(catalogue: Catalogue) -> None:
    variants = [acc for acc in catalogue if acc.family]
    assert len(variants) >= 5
    for acc in variants:
        family = catalogue.family_of(acc)
        assert family is not None and family.id == acc.family
        assert family.family is None
        assert family.manufacturer == acc.manufacturer
    assert catalogue.family_of(catalogue.get("nvidia-a100")) is None


def test_rows_are_complete(catalogue: Catalogue) -> None:
    for acc in catalogue:
        assert acc.name and acc.manufacturer and acc.type, acc.id
        assert acc.source in SOURCES, acc.id
        assert acc.release_year is None or 2010 <= acc.release_year <= 2030, acc.id
        assert acc.memory_gb is None or Decimal("0.1") <= acc.memory_gb <= Decimal(1000), acc.id


def test_manufacturers(catalogue: Catalogue) -> None:
    makers = {acc.manufacturer for acc in catalogue}
    assert {"NVIDIA", "Google", "AMD", "Intel", "Huawei"} <= makers
    assert makers - {"NVIDIA", "Google", "AMD", "Intel", "Huawei"}


def test_fp16_flops_are_plausible(catalogue: Catalogue) -> None:
    known = [acc for acc in catalogue if acc.fp16_flops is not None]
    assert len(known) >= 40
    # Pascal GeForce cards run FP16 at 1/64 of their FP32 rate: the one known exception.
    slow = {acc.id for acc in known if acc.fp16_flops < 1e12}
    assert slow == {"nvidia-gtx-1080-ti"}
    assert all(1e11 <= acc.fp16_flops <= 1e17 for acc in known)


@pytest.mark.parametrize(
    ("id", "memory_gb", "release_year", "fp16_flops"),
    [
        ("nvidia-h100-sxm", Decimal(80), 2022, 9.894e14),
        ("nvidia-a100-80gb", Decimal(80), 2020, 3.12e14),
        ("nvidia-v100-32gb", Decimal(32), 2018, 1.25e14),
        ("google-tpu-v4", Decimal(32), 2021, 2.75e14),
        ("amd-instinct-mi300x", Decimal(192), 2023, 1.3074e15),
        ("intel-gaudi-3", Decimal(128), 2024, 1.678e15),
        ("huawei-ascend-910b", Decimal(32), 2022, 3.76e14),
    ],
)
def test_known_facts(catalogue: Catalogue, id: str, memory_gb, release_year, fp16_flops) -> None:
    acc = catalogue.get(id)
    assert acc is not None
    assert (acc.memory_gb, acc.release_year) == (memory_gb, release_year)
    assert acc.fp16_flops == pytest.approx(fp16_flops, rel=1e-3)


def _epoch_rows() -> dict[str, dict[str, str]]:
    if not EPOCH_CSV.exists():
        pytest.skip("Epoch ML Hardware CSV not available")
    with EPOCH_CSV.open(encoding="utf-8", newline="") as f:
        return {row["Hardware name"]: row for row in csv.DictReader(f)}


@pytest.mark.parametrize(
    ("id", "epoch_name"),
    [
        ("nvidia-h100-sxm", "NVIDIA H100 SXM5 80GB"),
        ("nvidia-h100-pcie", "NVIDIA H100 PCIe"),
        ("nvidia-a100-40gb", "NVIDIA A100 SXM4 40 GB"),
        ("nvidia-h200", "NVIDIA H200 SXM"),
        ("nvidia-b200", "NVIDIA B200"),
        ("google-tpu-v5p", "Google TPU v5p"),
        ("google-tpu-v6e", "Google TPU v6e Trillium"),
        ("amd-instinct-mi250x", "AMD Radeon Instinct MI250X"),
        ("intel-gaudi-2", "Intel Habana Gaudi2"),
        ("amazon-trainium2", "Amazon Trainium2"),
    ],
)
def test_facts_match_epoch(catalogue: Catalogue, id: str, epoch_name: str) -> None:
    row = _epoch_rows()[epoch_name]
    acc = catalogue.get(id)
    assert acc is not None and acc.source.startswith("Epoch AI ML Hardware")
    assert acc.memory_gb == Decimal(row["Memory (bytes)"]) / Decimal(10**9)
    assert acc.release_year == int(row["Release date"][:4])
    assert acc.fp16_flops == pytest.approx(float(row["Tensor-FP16/BF16 performance (FLOP/s)"]), rel=1e-3)


def test_csv_has_exact_columns_and_no_comments() -> None:
    text = (Path(__file__).parent.parent / "kg" / "data" / "hardware.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0] == ",".join(COLUMNS)
    assert not any(line.startswith("#") for line in text.splitlines())


def test_credit_names_epoch() -> None:
    assert "Epoch AI" in CATALOGUE_CREDIT and "CC BY 4.0" in CATALOGUE_CREDIT


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("NVIDIA", "nvidia"),
        ("Huawei", "huawei"),
        ("Amazon AWS", "amazon-aws"),
        ("  Moore Threads (Tencent) ", "moore-threads-tencent"),
    ],
)
def test_manufacturer_id(name: str, slug: str) -> None:
    assert manufacturer_id(name) == slug


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Atlantis accelerator", "atlantis"),
        ("Atlantis accelerators", "atlantis"),
        ("8x ATLANTIS chips", "atlantis"),
        ("Quantum  Abacus", "quantum-abacus"),
        ("Ｑｕａｎｔｕｍ_Abacus", "quantum-abacus"),
        ("Zeta-9 NPUs", "zeta-9"),
        ("GPUs", "gpus"),
        ("", ""),
    ],
)
def test_hardware_key(text: str, key: str) -> None:
    assert hardware_key(text) == key


def test_hardware_key_is_never_empty_for_text() -> None:
    assert hardware_key("!!!") == hardware_key("!!!") != ""
    assert hardware_key("!!!") != hardware_key("???")


def _acc(id: str, name: str, aliases: tuple[str, ...] = (), family: str | None = None) -> Accelerator:
    return Accelerator(id, name, "Acme", "GPU", family, None, None, None, None, aliases, "vendor datasheet")


@pytest.mark.parametrize(
    "rows",
    [
        [_acc("acme-x1", "Acme X1"), _acc("acme-x1", "Acme X1 again")],
        [_acc("Acme X1", "Acme X1")],
        [_acc("acme-x1", "Acme X1"), _acc("acme-x2", "Acme X2", aliases=("ACME x-1",))],
        [_acc("acme-x1-8gb", "Acme X1 8GB", family="acme-x1")],
        [_acc("acme-x1", "Acme X1", aliases=("GPUs",))],
    ],
    ids=["duplicate-id", "bad-id", "shared-alias", "missing-family", "noise-alias"],
)
def test_catalogue_rejects_bad_rows(rows: list[Accelerator]) -> None:
    with pytest.raises(ValueError):
        Catalogue(rows)


def test_load_catalogue_from_path(tmp_path: Path) -> None:
    path = tmp_path / "hw.csv"
    path.write_text(
        ",".join(COLUMNS) + "\n"
        "acme-x1,Acme X1,Acme,NPU,,,,2024,1e14,2.5e13,5e13,,2,X-1|Acme One,vendor datasheet\n"
        "acme-x1-64gb,Acme X1 64GB,Acme,NPU,acme-x1,64,,2024,1e14,,,,,,vendor datasheet\n",
        encoding="utf-8",
    )
    cat = load_catalogue(path)
    assert len(cat) == 2
    assert cat.resolve("4x Acme One chips").id == "acme-x1"
    assert cat.resolve("X-1 (64 GB)").id == "acme-x1-64gb"
    assert cat.get("acme-x1-64gb").memory_gb == Decimal(64)
    assert (cat.get("acme-x1").cores_per_chip, cat.get("acme-x1-64gb").cores_per_chip) == (2, None)
    assert [cat.get("acme-x1").peak(f) for f in ("FP16", "FP32", "TF32", "FP8")] == [1e14, 2.5e13, 5e13, None]
    bad = tmp_path / "bad.csv"
    bad.write_text("id,name\nacme-x1,Acme X1\n", encoding="utf-8")
    with pytest.raises(ValueError):
        load_catalogue(bad)
