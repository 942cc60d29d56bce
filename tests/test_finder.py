"""The rule finder on plain sentences: what it must find, and the distractors it must leave alone."""
import pytest

from kg.finder import FINDER, find
from kg.tags import parse_tags


def found(text: str) -> set[tuple[str, str]]:
    return {(f.kind, text[f.start : f.end]) for f in find(text)}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("The model has 2.8 billion parameters in total.", {("params", "2.8 billion")}),
        ("We train a 13B-parameter decoder.", {("params", "13B")}),
        ("It has approximately 7 billion parameters.", {("params", "approximately 7 billion")}),
        ("Training used 64 NVIDIA A100 GPUs.", {("gpu_count", "64"), ("hardware", "NVIDIA A100 GPUs")}),
        ("Distillation ran on eight Tesla V100 GPUs.", {("gpu_count", "eight"), ("hardware", "Tesla V100 GPUs")}),
        ("Training took 21 days on our cluster.", {("training", "21 days")}),
        ("The model was trained in 2022.", {("year", "2022")}),
        ("Training ran on a cluster located in Germany.", {("country", "Germany")}),
        ("We train Corvid-13B from scratch.", {("model", "Corvid-13B")}),
    ],
)
def test_each_kind_is_found(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    "family, text",
    [
        ("dataset size", "The dataset holds 1.2 million images and 300 million captions."),
        ("steps", "We optimize for 100,000 steps with cosine decay."),
        ("batch size", "The batch size is 2048 sequences of 512 tokens."),
        ("learning rate", "The peak learning rate is 3e-4 with 2000 warmup steps."),
        ("layer count", "The encoder has 24 layers and 16 attention heads."),
        ("resolution", "Images are resized to 224 x 224 pixels."),
        ("other papers' models", "Unlike BERT and GPT-2, our encoder is bidirectional."),
        ("benchmark year", "We report mAP on COCO 2017 and VOC 2012."),
        ("country of a hospital", "Scans were collected at three hospitals in Brazil."),
        ("country of a dataset", "The dataset covers speakers from India and Kenya."),
        ("a duration that is not training", "Inference on one scan takes 3 hours on a laptop."),
    ],
)
def test_distractors_give_no_fact(family, text):
    assert found(text) == set(), family


def test_found_spans_sit_where_the_text_says():
    text = "Intro line.\nTraining took 21 days."
    [hit] = find(text)
    assert (hit.kind, text[hit.start : hit.end]) == ("training", "21 days")
    assert 0 < hit.confidence <= 1 and FINDER.startswith("mlkg finder ")


def test_finds_never_overlap_and_are_tag_spans():
    plain = parse_tags("We train <model>Corvid-13B</model> on <gpu_count>64</gpu_count> A100 GPUs.").plain
    finds = find(plain)
    ends = [(f.start, f.end) for f in finds]
    assert all(a[1] <= b[0] for a, b in zip(ends, ends[1:]))
    assert ("gpu_count", "64") in {(f.kind, plain[f.start : f.end]) for f in finds}
