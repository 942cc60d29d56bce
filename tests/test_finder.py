"""The rule finder on plain sentences: what it must find, and the distractors it must leave alone."""

import pytest

from kg.finder import FINDER, KINDS, find, finds_for
from kg.tags import parse_tags


def found(text: str) -> set[tuple[str, str]]:
    return {(f.kind, text[f.start : f.end]) for f in find(text)}


@pytest.mark.parametrize(
    "text, expected",
    [
        # params: the number and its scale, with a hedge; the noun stays outside
        ("The model has 2.8 billion parameters in total.", {("params", "2.8 billion")}),
        ("We train a 13B-parameter decoder.", {("params", "13B")}),
        ("It has approximately 7 billion parameters.", {("params", "approximately 7 billion")}),
        ("The student has 66.5M parameters.", {("params", "66.5M")}),
        ("The network has 175,000,000 trainable parameters.", {("params", "175,000,000")}),
        ("It starts from a 220M encoder-decoder checkpoint.", {("params", "220M")}),
        ("A 7-billion-parameter decoder.", {("params", "7-billion")}),
        # hardware and counts: catalogue names, with maker, memory, form and noun
        ("Training used 64 NVIDIA A100 GPUs.", {("gpu_count", "64"), ("hardware", "NVIDIA A100 GPUs")}),
        ("Distillation ran on eight Tesla V100 32GB cards.", {("gpu_count", "eight"), ("hardware", "Tesla V100 32GB")}),
        ("The model was trained on 2,048 TPU v4 chips.", {("gpu_count", "2,048"), ("hardware", "TPU v4 chips")}),
        ("We trained on 8×A100 GPUs.", {("gpu_count", "8"), ("hardware", "A100 GPUs")}),
        ("Fine-tuning used 16 H100 PCIe cards.", {("gpu_count", "16"), ("hardware", "H100 PCIe")}),
        ("The run used 512 Huawei Ascend 910B NPUs.", {("gpu_count", "512"), ("hardware", "Huawei Ascend 910B NPUs")}),
        ("Training ran on 64 GPUs of our cluster.", {("gpu_count", "64")}),
        ("Training ran on about 256 A800 in one pod.", {("gpu_count", "about 256"), ("hardware", "A800")}),
        (
            "Training ran on 256 Zephyr ZX-9 accelerators.",
            {("gpu_count", "256"), ("hardware", "Zephyr ZX-9 accelerators")},
        ),
        # training durations, in a sentence about training
        ("Training took 21 days on our cluster.", {("training", "21 days")}),
        ("The full schedule finished in roughly 10 days.", {("training", "roughly 10 days")}),
        ("Pre-training spanned about six months of wall-clock time.", {("training", "about six months")}),
        (
            "One pass takes nine hours; we made four passes, for 36 hours of wall-clock time in total.",
            {("training", "36 hours")},
        ),
        ("We fine-tuned for 14 hours.", {("training", "14 hours")}),
        # years after a word of time
        ("The model was trained in 2022.", {("year", "2022")}),
        ("Runs were scheduled in early 2024.", {("year", "2024")}),
        ("Recall was measured on traffic logged in January 2025.", {("year", "2025")}),
        ("The run took place during the second half of 2023.", {("year", "2023")}),
        # countries where compute or the team is
        ("Training ran on a cluster located in Germany.", {("country", "Germany")}),
        ("The work was done in the United States in 2022.", {("country", "United States"), ("year", "2022")}),
        ("Both stages were run by our team in the UK.", {("country", "UK")}),
        # models the paper calls its own
        ("We train Corvid-13B from scratch.", {("model", "Corvid-13B")}),
        ("Our proposed model, MedSegFormer-XL, is an encoder-decoder.", {("model", "MedSegFormer-XL")}),
        ("FoldWeave predicts backbone and side-chain coordinates.", {("model", "FoldWeave")}),
        ("We adapt Llama 2 70B to legal questions.", {("model", "Llama 2 70B")}),
        ("We distill a 12-layer teacher into TinyParse-Base.", {("model", "TinyParse-Base")}),
        ('We release "Orca" Mini for chat.', {("model", '"Orca" Mini')}),
        ("清华-GLM is a bilingual model.", {("model", "清华-GLM")}),
        ("**Lumen-Video** is a latent video diffusion model.", {("model", "Lumen-Video")}),
        ("We train Kite-1B and Kite-7B on web text.", {("model", "Kite-1B"), ("model", "Kite-7B")}),
        (
            "We pre-train two graph transformers, Mola-S and Mola-L, on molecules.",
            {("model", "Mola-S"), ("model", "Mola-L")},
        ),
        ("We instead train Quokka-Sparse from scratch.", {("model", "Quokka-Sparse")}),
        (
            "Rather than training from scratch, we fine-tune Whisper medium, which has 769M parameters.",
            {("model", "Whisper medium"), ("params", "769M")},
        ),
        ("Our placement agent, Cedar-Place, places macros.", {("model", "Cedar-Place")}),
        (
            "We train Cicada-Base. Cicada-Base has 420 million parameters and Cicada-Large has 1.9 billion.",
            {("model", "Cicada-Base"), ("params", "420 million"), ("model", "Cicada-Large"), ("params", "1.9 billion")},
        ),
        (
            "Two retrievers, Osprey-S and Osprey-L, have 350M and 1.4B parameters, respectively.",
            {("params", "350M"), ("params", "1.4B")},
        ),
        ("Training ran on 8×A100 for 12 days.", {("gpu_count", "8"), ("hardware", "A100"), ("training", "12 days")}),
        ("The 300k-step schedule completed in one week.", {("training", "one week")}),
        # a run-in heading, bold or plain, opens the paragraph its model is named in
        (
            "**Base model.** Tern-2B is a decoder-only model with 2.1B parameters.",
            {("model", "Tern-2B"), ("params", "2.1B")},
        ),
        ("Setup. Gannet-S, 31M params, 10 blocks.", {("model", "Gannet-S"), ("params", "31M")}),
        (
            "Pretraining. Heron-B (92M parameters) is pretrained with masked modelling.",
            {("model", "Heron-B"), ("params", "92M")},
        ),
        # a one-word name, told from a sentence's first word by how the text writes it elsewhere
        (
            "We train Skua, a 3-billion-parameter model, on 64 A100 GPUs. Skua then sees 40 tasks, and results for Skua are below.",
            {("model", "Skua"), ("params", "3-billion"), ("gpu_count", "64"), ("hardware", "A100 GPUs")},
        ),
        (
            "Training WrenKWS-tiny takes 40 minutes on 1 RTX 3090.",
            {("model", "WrenKWS-tiny"), ("training", "40 minutes"), ("gpu_count", "1"), ("hardware", "RTX 3090")},
        ),
        # what the hardware was for is said before it, clause by clause
        (
            "We trained on 32 A100 GPUs; sampling speed is measured on one H100 GPU.",
            {("gpu_count", "32"), ("hardware", "A100 GPUs")},
        ),
        # a kind of model or a part named before a fact is not another model's run
        (
            "Gannet-S is a BiLSTM-CRF tagger with 4.8M parameters, trained on 2 V100 GPUs for 3 hours.",
            {
                ("model", "Gannet-S"),
                ("params", "4.8M"),
                ("gpu_count", "2"),
                ("hardware", "V100 GPUs"),
                ("training", "3 hours"),
            },
        ),
        # tables and "key: value" lines say what each value is
        (
            "| model | parameters | layers |\n|---|---|---|\n| Tern-1B | 1.1B | 22 |\n| Tern-3B | 3.0B | 26 |\n",
            {("model", "Tern-1B"), ("params", "1.1B"), ("model", "Tern-3B"), ("params", "3.0B")},
        ),
        (
            "Table 2: Training setup for Loom-XL.\n- Parameters: 2.6B (UNet)\n- Wall-clock: ~9 days\n",
            {("model", "Loom-XL"), ("params", "2.6B"), ("training", "~9 days")},
        ),
        (
            "Hardware: 8xRTX 3090, AMP; total ~60 h.",
            {("gpu_count", "8"), ("hardware", "RTX 3090"), ("training", "~60 h")},
        ),
        # written-out numbers: "and a half", "two thousand"
        (
            "We trained Scaffold-2 on 8×H100 for three and a half days.",
            {("model", "Scaffold-2"), ("gpu_count", "8"), ("hardware", "H100"), ("training", "three and a half days")},
        ),
        (
            "Petrel was trained with an actor-learner setup. The learner of Petrel ran on two thousand TPU v4 chips.",
            {("model", "Petrel"), ("gpu_count", "two thousand"), ("hardware", "TPU v4 chips")},
        ),
        # where the text sums one model's stages, the sum is its training time
        (
            "We train Heron-B. Pretraining took 4 days and fine-tuning took 9 hours. Altogether, the two stages of Heron-B took roughly five days.",
            {("model", "Heron-B"), ("training", "roughly five days")},
        ),
        # a size said of the paper's model is its own, whatever the rest of the sentence compares
        (
            "It has 650 million parameters, so that the effect of our data can be compared at equal scale.",
            {("params", "650 million")},
        ),
        ("The detector uses a hybrid CNN-transformer backbone, amounting to 47.5M parameters.", {("params", "47.5M")}),
        ("We use a small transformer with 4 layers, 8 heads and 3.4M parameters.", {("params", "3.4M")}),
        (
            "Only the feature extractor is kept frozen; with the output layer, Tamsa-ASR has 317M parameters.",
            {("model", "Tamsa-ASR"), ("params", "317M")},
        ),
        # a kind of model, then its name; a setup line; a name that describes itself mid-sentence
        (
            "Training details: the wafer-defect classifier WaferNet-v3 is an EfficientNet-B2 variant.",
            {("model", "WaferNet-v3")},
        ),
        ("- Model: RoadSeer-B, a bird's-eye-view detector with a ResNet-50 backbone.", {("model", "RoadSeer-B")}),
        (
            "Two models are trained here. AffiGraph is a graph transformer, and AffiSeq is a sequence model over embeddings.",
            {("model", "AffiGraph"), ("model", "AffiSeq")},
        ),
        ("The diffusion U-Net has 865M parameters with 4 resolution levels.", {("params", "865M")}),
        (
            "We used two H100 nodes (16 H100 GPUs) throughout.",
            {("gpu_count", "16"), ("hardware", "H100"), ("hardware", "H100 GPUs")},
        ),
        # places and names said in passing
        ("All training ran on a cluster at our lab in Nairobi, Kenya.", {("country", "Kenya")}),
        ("With the output layer, Tamsa-ASR has 317M parameters.", {("model", "Tamsa-ASR"), ("params", "317M")}),
        ("The seizure detector, Spike-Net, combines a convolutional front end with a GRU.", {("model", "Spike-Net")}),
        ("We model sepsis onset using SepsiNet, a small transformer over clinical events.", {("model", "SepsiNet")}),
        ("Rather than training from scratch, we adapt Mistral 7B to Finnish.", {("model", "Mistral 7B")}),
        (
            "In contrast, Nimbus-S is a compact U-Net with 31M parameters. We trained Nimbus-S on 8 A100 GPUs.",
            {("model", "Nimbus-S"), ("params", "31M"), ("gpu_count", "8"), ("hardware", "A100 GPUs")},
        ),
    ],
)
def test_each_kind_is_found(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    "family, text",
    [
        ("dataset size", "The dataset holds 1.2 million images and 300 million captions."),
        ("token count", "Pre-training consumed 1.9 trillion tokens of web text."),
        ("steps", "We optimize for 100,000 steps with cosine decay."),
        ("batch size", "The batch size is 2048 sequences of 512 tokens."),
        ("learning rate", "The peak learning rate is 3e-4 with 2000 warmup steps."),
        ("layer count and width", "The encoder has 24 layers, 16 attention heads and hidden size 1,024."),
        ("resolution", "Images are resized to 224 x 224 pixels and 1024×1024 crops."),
        ("other papers' models", "Unlike BERT and GPT-2, our encoder is bidirectional."),
        ("another model's size", "Our encoder is smaller than the 175B-parameter GPT-3."),
        ("a model compared with", "We compare against PaLM-540B and Chinchilla."),
        ("a teacher's size", "The teacher has 110 million parameters."),
        ("benchmark year", "We report mAP on COCO 2017 and VOC 2012."),
        ("citation year", "The recipe follows Smith et al. (2019) and Lee et al., 2021."),
        ("years of data", "The reanalysis covers 1979 to 2018."),
        ("a dataset's year", "The corpus was crawled in 2019."),
        ("country of a hospital", "Scans were collected at three hospitals in Brazil."),
        ("country of a dataset", "The dataset covers speakers from India and Kenya."),
        ("country of annotators", "Annotators in Kenya labelled the images."),
        ("a duration that is not training", "Inference on one scan takes 3 hours on a laptop."),
        ("a frequency", "Training saves a checkpoint every 6 hours."),
        ("accelerator-hours", "Training took 2,000 GPU hours in total."),
        ("a horizon", "The model forecasts up to 10 days ahead."),
        ("an accelerator not used for training", "Inference runs on a single T4 at 30 ms latency."),
        ("another lab's accelerators", "Unlike prior work on TPU v3 pods, we use few resources."),
        ("a per-node count", "Each node has 8 GPUs each connected by NVLink."),
        ("a cited model's size", "GPT-3 (Brown et al., 2020) has 175 billion parameters."),
        ("a cited model's hardware", "GraphCast (Lam et al., 2023) was trained on 32 TPU v4 devices."),
        (
            "another lab's run",
            "Our model is small. LLaMA-65B took about 21 days on 2,048 A100 GPUs according to its authors.",
        ),
        ("a sentence about another model", "Our model is small. LLaMA-65B was trained on 2,048 A100 GPUs for 21 days."),
        (
            "a size written after another name",
            "Our model is small. Gopher was trained on text, and Chinchilla, with 70 billion parameters, on more.",
        ),
        (
            "a sentence opening with another model and its size",
            "Our model is small. Gopher (280B) was trained on TPU v3 chips.",
        ),
        ("hardware of another activity", "Throughput is measured on a single NVIDIA H100 80GB GPU with batch size 8."),
        ("a cited model's size across 'et al.'", "The baseline of Okafor et al. (2021) uses a 340M encoder."),
        ("a size in parentheses after another name", "We also test XLM-R base (270M parameters) as an encoder."),
        ("a range of sizes", "Keyboards use models of about 1.4M to 20M parameters."),
        ("hours of data", "The corpus is split into 118,000 hours of training data and 2,000 hours of test data."),
        ("a range of years", "Logs cover users from January 2021 to June 2023."),
        (
            "a frozen encoder's size",
            "We add a frozen retriever (a 110M-parameter encoder, not updated during training).",
        ),
        ("a time per epoch", "Training is fast: one epoch takes about 35 minutes."),
        (
            "a time per item",
            "Reconstruction of one volume takes 2 seconds, and each training epoch takes about 2 hours.",
        ),
        ("a run of another kind", "Retraining the ensemble each night takes 11 minutes on a 16-core server."),
        ("a lookback window", "Training uses a lookback of 90 days and predicts 28 days ahead."),
        ("countries of users", "Users are located in Brazil, Mexico and Indonesia."),
        ("a year of someone's data", "We compare with preference data released in 2022."),
        ("a bare code with nothing saying it is an accelerator", "The T4 baseline and the L4 variant are weaker."),
        ("an unlisted accelerator used for inference", "Inference ran on 16 Zephyr ZX-9 accelerators in the field."),
        (
            "another activity named before the hardware",
            "Feature extraction for every slide took 2 days on four RTX 3090 cards.",
        ),
        (
            "another model's run after an opening phrase",
            "Our model is small. Among open models, KOALA (40B) was trained on 384 A100 GPUs for two months in 2023.",
        ),
        (
            "another model's run mid-sentence",
            "We compare against Orca-13B, trained on 128 A100 GPUs in Canada for 9 days.",
        ),
        (
            "a document that says it trains nothing",
            "We train no models in this study. Scores come from a 7B model served on 8 A100 GPUs for 3 days.",
        ),
        (
            "a cited author's run",
            "Our filters follow prior findings: Okoro et al. (2023) trained 1B-parameter models on 64 A100 GPUs.",
        ),
        ("sizes above a bound", "Models above 30B parameters use 4-way tensor parallelism."),
        (
            "a table of others' runs",
            "Table 1: Reported training setups of open models.\n| Model | Parameters |\n|---|---|\n| Falcon-40B | 40B |\n",
        ),
        (
            "a paper that trains or fine-tunes nothing",
            "We do not train or fine-tune any model. The servers run in Ireland on 8 A100 GPUs.",
        ),
        ("a range of durations", "Series are sampled at frequencies from 1 minute to 1 year."),
        ("a bound on a size", "Each candidate policy is small (under 10M parameters)."),
        (
            "a described system in a list of others'",
            "Systems compared: BART-large, a 400M summarization model from Lewis et al.",
        ),
        ("hours of data after 'trained on'", "The teacher, trained on 680,000 hours, labels our data."),
        ("a year of paperwork", "Data agreements were approved by the ethics boards in 2021."),
        ("a sentence opening with a comparison", "For comparison, Stable Diffusion v1.5 was trained on 256 A100 GPUs."),
        ("a rate on a device", "Local policies run on an RTX 4090 at 6 Hz."),
        (
            "another model's run told by its authors, far from the words",
            "We start from Kite-7B, which its authors pretrained on 970,000 episodes using 64 A100 GPUs for 14 days.",
        ),
    ],
)
def test_distractors_give_no_fact(family, text):
    assert found(text) == set(), family


@pytest.mark.parametrize(
    "case, text, years",
    [
        # the paper's own work, dated
        ("own training", "The model was trained in 2021.", {"2021"}),
        ("own experiments", "Our experiments were conducted in 2022.", {"2022"}),
        ("own model named before the year", "We trained Kite-7B in 2021 on 64 A100 GPUs.", {"2021"}),
        (
            "own model after 'for'",
            "We train Kite-7B on 20B tokens. The budget for Kite-7B in 2021 was fixed.",
            {"2021"},
        ),
        ("a machine used, not an owner", "We trained on LUMI in 2023.", {"2023"}),
        ("own release", "The checkpoint was released in 2019.", {"2019"}),
        # someone else's model, estimate, release or result
        (
            "another's estimate",
            "Others report only compute, such as the 3.14e23 FLOPs estimated for GPT-3 in 2020.",
            set(),
        ),
        ("another's release", "GPT-3 was released by OpenAI in 2020.", set()),
        ("released by a maker", "The checkpoint was released by Google in 2019.", set()),
        ("another's publication", "The weights of Gopher-280B were published by DeepMind in 2021.", set()),
        ("another's budget", "The 2,048-chip budget of PaLM-540B in 2022 is far above ours.", set()),
        ("another's tokenizer", "We keep the tokenizer trained for Llama-2 in 2023.", set()),
        ("another's result, month and year", "The scores of Gemini-Pro in March 2024 were higher.", set()),
        ("a model with its year", "We compare with BERT (2018) on GLUE.", set()),
        ("another's report", "Our tokenizer follows the 2019 GPT-2 report.", set()),
    ],
)
def test_a_year_is_the_papers_own_not_one_that_dates_other_work(case, text, years):
    assert {value for kind, value in found(text) if kind == "year"} == years, case


def test_found_spans_sit_where_the_text_says():
    text = "Intro line.\nTraining took 21 days."
    [hit] = find(text)
    assert (hit.kind, text[hit.start : hit.end]) == ("training", "21 days")
    assert 0 < hit.confidence <= 1 and hit.rule and FINDER.startswith("mlkg finder ")
    assert hit.kind in KINDS


def test_a_model_is_named_again_where_its_facts_are():
    text = "We train Kite-1B and Kite-7B. Kite-7B ran on 64 A100 GPUs. Kite-1B is small."
    models = [(f.start, f.rule) for f in find(text) if f.kind == "model"]
    assert models == [(9, "model_cue"), (21, "model_cue"), (30, "model_again")]


def test_finds_never_overlap():
    text = "We train Corvid-13B, a 13B-parameter decoder, on 64 NVIDIA A100 80GB GPUs for 18 days in 2023."
    finds = find(text)
    ends = [(f.start, f.end) for f in finds]
    assert all(a[1] <= b[0] for a, b in zip(ends, ends[1:]))
    assert {f.kind for f in finds} == {"model", "params", "gpu_count", "hardware", "training", "year"}


@pytest.mark.parametrize(
    "text, mode, kinds",
    [
        ("Training took 21 days in 2023.", "auto", {"training", "year"}),
        ("Training took <training>21 days</training> in 2023.", "auto", set()),  # tagged: left to the person
        ("Training took <training>21 days</training> in 2023.", "always", {"year"}),
        ("Training took <training>21 days in 2023</training>.", "always", set()),  # the tag wins
        ("Training took <trainin>21 days in 2023.", "auto", set()),  # a broken tag is still a tag
        ("Training took 21 days in 2023.", "never", set()),
    ],
)
def test_extract_modes(text, mode, kinds):
    assert {f.kind for f in finds_for(parse_tags(text), mode)} == kinds


def test_an_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="auto, always, never"):
        finds_for(parse_tags("text"), "sometimes")


@pytest.mark.parametrize(
    "text, expected",
    [
        # the paper's own model, introduced with its size in brackets: ours by "our"/"we", or as the sentence's subject
        ("Our detector (HushNet, 1.9M parameters) runs on a laptop CPU.", {("model", "HushNet"), ("params", "1.9M")}),
        (
            "The enhancement network (HushNet, 1.9M parameters) is a causal convolutional-recurrent U-Net.",
            {("model", "HushNet"), ("params", "1.9M")},
        ),
        (
            "The acoustic model of Lyra-TTS (152M parameters, a non-autoregressive transformer) was pretrained first.",
            {("model", "Lyra-TTS"), ("params", "152M")},
        ),
        (
            "We train the policy network (Corvid-Nav, 12M parameters) with PPO.",
            {("model", "Corvid-Nav"), ("params", "12M")},
        ),
        # someone else's model introduced the same way stays someone else's
        ("The baseline network (ResNet-50, 25M parameters) is a standard CNN.", set()),
        ("We compare with the teacher model (BERT-large, 340M parameters) in Table 2.", set()),
        ("The language model of Brown et al. (GPT-3, 175B parameters) was trained on 300B tokens.", set()),
        ("The original model of OPT-175B (175B parameters) was trained by Meta.", set()),
        ("A detector (YOLO-v8, 43M parameters) labels the frames before our model sees them.", set()),
        ("The frozen teacher model (Llama-2-13B, 13B parameters) labels the data.", set()),
        ("The encoder (Whisper-large, 1.5B parameters) is described by Radford et al. (2022).", set()),
    ],
)
def test_an_own_model_introduced_with_its_size_in_brackets(text, expected):
    models = {f for f in found(text) if f[0] == "model"}
    assert models == {f for f in expected if f[0] == "model"}
    assert {f for f in expected if f[0] == "params"} <= found(text)


SURVEY_ROWS = (
    "Falcon-40B | 40B parameters | 384 A100 40GB GPUs | about 2 months\n"
    "MPT-30B | 30B parameters | 512 H100 GPUs | about 11 days\n"
    "Gopher | 280B parameters | 4,096 TPU v3 chips | not stated\n"
)


@pytest.mark.parametrize(
    "case, text, expected",
    [
        # rows naming other models, each with figures: none of their numbers is the paper's
        ("pipes without outer bars", "Table 2: Budgets in the literature.\n" + SURVEY_ROWS, set()),
        ("tab-separated", "Budgets in the literature.\n" + SURVEY_ROWS.replace(" | ", "\t"), set()),
        (
            "markdown, its first column not headed as models",
            "| System | Size | Time |\n|---|---|---|\n| Falcon-40B | 40B parameters | 2 months |\n"
            "| MPT-30B | 30B parameters | 11 days |\n",
            set(),
        ),
        (
            "a table of others after the paper's own run",
            "We train Wren-2B on 32 H100 GPUs for 5 days.\n\n" + SURVEY_ROWS,
            {("model", "Wren-2B"), ("gpu_count", "32"), ("hardware", "H100 GPUs"), ("training", "5 days")},
        ),
        # a row naming one of the paper's own models keeps its facts, the others' rows do not
        (
            "the paper's own row among others'",
            "We train Wren-2B from scratch.\n\nWren-2B | 2.1B parameters | 32 H100 GPUs\n" + SURVEY_ROWS,
            {("model", "Wren-2B"), ("params", "2.1B")},
        ),
        (
            "a table of the paper's own sizes",
            "| model | parameters |\n|---|---|\n| Wren-1B | 1.1B |\n| Wren-3B | 2.9B |\n",
            {("model", "Wren-1B"), ("params", "1.1B"), ("model", "Wren-3B"), ("params", "2.9B")},
        ),
        # not a table of models: a settings table, or a single line with a bar
        (
            "a settings table",
            "We train Wren-2B.\n| setting | value |\n|---|---|\n| parameters | 2.1B parameters |\n| steps | 90,000 |\n",
            {("model", "Wren-2B"), ("params", "2.1B")},
        ),
    ],
)
def test_table_rows_of_other_models_are_other_work(case, text, expected):
    assert found(text) == expected, case


OWN_RUNS = "Model | layers | parameters | accelerators | wall-clock\nPika-S | 6 | 90M | 8×A100 | 2 days\nPika-L | 24 | 700M | 32 × H100 GPUs | 5 days\n"
PIKA = {
    ("model", "Pika-S"),
    ("params", "90M"),
    ("gpu_count", "8"),
    ("hardware", "A100"),
    ("training", "2 days"),
    ("model", "Pika-L"),
    ("params", "700M"),
    ("gpu_count", "32"),
    ("hardware", "H100 GPUs"),
    ("training", "5 days"),
}


@pytest.mark.parametrize(
    "case, text, expected",
    [
        # the paper's own runs, one row each: its caption says so, or the names are sizes of one family
        ("without outer bars, under an own caption", "Table 3: Our two runs.\n" + OWN_RUNS, PIKA),
        ("without outer bars, one family", "Training runs.\n" + OWN_RUNS, PIKA),
        ("tab-separated", OWN_RUNS.replace(" | ", "\t"), PIKA),
        (
            "with outer bars and a line under the header",
            "| Model | Parameters | Hardware | Wall-clock |\n|---|---|---|---|\n"
            "| Pika-S | 90M | 8 × A100 80GB | 2 days |\n| Pika-L | 700M | 32 × A100 80GB | 5 days |\n",
            {
                ("model", "Pika-S"),
                ("params", "90M"),
                ("gpu_count", "8"),
                ("hardware", "A100 80GB"),
                ("training", "2 days"),
                ("model", "Pika-L"),
                ("params", "700M"),
                ("gpu_count", "32"),
                ("training", "5 days"),
            },
        ),
        (
            "one row, of a model the text calls its own",
            "We train Gull-3B from scratch.\n\nModel | parameters | wall-clock\nGull-3B | 2.9B | 9 days\n",
            {("model", "Gull-3B"), ("params", "2.9B"), ("training", "9 days")},
        ),
        # other models in a table: reported by others, different families said of no one, or compared with
        (
            "others' runs under a caption that says so",
            "Table 1: Runs as reported by their authors.\n" + OWN_RUNS,
            set(),
        ),
        (
            "different families, no caption of ours",
            "Model | parameters | accelerators | wall-clock\nFalcon-40B | 40B | 384 × A100 | 60 days\n"
            "MPT-30B | 30B | 512 × H100 | 11 days\n",
            set(),
        ),
        (
            "baselines the text compares with",
            "We compare against Pika-S and Pika-L.\n\n" + OWN_RUNS,
            set(),
        ),
        (
            "a cell that is a name and a remark",
            "Table 3: Our runs.\nModel | parameters\nResNet-50 (baseline) | 25M\n",
            set(),
        ),
        (
            "a column of what serves, not what trains",
            "Model | parameters | inference device | latency\nPika-S | 90M | 1×T4 | 2 hours\nPika-L | 700M | 1×T4 | 9 hours\n",
            {("model", "Pika-S"), ("params", "90M"), ("model", "Pika-L"), ("params", "700M")},
        ),
    ],
)
def test_a_table_of_the_papers_own_runs(case, text, expected):
    assert found(text) == expected, case


@pytest.mark.parametrize(
    "case, text, expected",
    [
        # "Name (year)", "Name and Name (year)", "(Name, year)": the sentence's facts after it are the cited work's
        (
            "two authors and a year",
            "Okonkwo and Sato (2022) trained a 1.3B-parameter model on eight A100 GPUs for 40 hours in 2022.",
            set(),
        ),
        ("one author and a year", "The tagger of Haldane (2021) trains on one RTX 3090.", set()),
        ("et al. and a year", "Brandt et al. (2020) fine-tuned it for 3 days on 16 V100 GPUs.", set()),
        ("in parentheses", "A 350M-parameter encoder (Okafor, 2020) was trained on 16 V100 GPUs.", set()),
        ("two in parentheses", "It ran for 9 days on 128 TPU v3 chips (Haldane, 2019; Brandt and Roy, 2021).", set()),
        (
            "a clause after ';' that points back",
            "Brandt et al. (2020) pretrained it on speech; they report 11 days on 64 V100 GPUs in Ghana.",
            set(),
        ),
        # the paper's own facts stay: a "we" after the citation, a clause that does not point back, no author
        (
            "following a cited recipe",
            "Following Okonkwo and Sato (2022), we train on 32 A100 GPUs for 4 days.",
            {("gpu_count", "32"), ("hardware", "A100 GPUs"), ("training", "4 days")},
        ),
        (
            "a country before a year is no author",
            "We trained on 64 A100 GPUs at a cluster in Germany (2023).",
            {("gpu_count", "64"), ("hardware", "A100 GPUs"), ("country", "Germany")},
        ),
        (
            "a month before a year is no author",
            "Training took 6 days, finishing in March (2024).",
            {("training", "6 days")},
        ),
    ],
)
def test_an_author_year_citation_marks_its_sentence_as_other_work(case, text, expected):
    assert found(text) == expected, case


KESTREL_RUN = {("gpu_count", "64"), ("hardware", "A100 GPUs"), ("training", "12 days")}


@pytest.mark.parametrize(
    "case, text, expected",
    [
        # a name the paper makes, then the year it was made: the paper's model and its facts
        ("we train", "We train Kestrel (2024) on 64 A100 GPUs for 12 days.", {("model", "Kestrel"), *KESTREL_RUN}),
        (
            "a verb of three tokens",
            "We then pre-train Kestrel (2024) on 64 A100 GPUs for 12 days.",
            {("model", "Kestrel"), *KESTREL_RUN},
        ),
        (
            "a size after it",
            "We train Kestrel (2024), a 1.3B-parameter decoder, on 64 A100 GPUs for 12 days.",
            {("model", "Kestrel"), ("params", "1.3B"), *KESTREL_RUN},
        ),
        (
            "named",
            "We present a decoder called Kestrel (2024), trained on 64 A100 GPUs for 12 days.",
            {("model", "Kestrel"), *KESTREL_RUN},
        ),
        # a citation's name starts a word: "Coder" inside "StarCoder" is no author
        (
            "a name with a capital inside",
            "We fine-tune StarCoder (2023) on 8 A100 GPUs.",
            {("model", "StarCoder"), ("gpu_count", "8"), ("hardware", "A100 GPUs")},
        ),
        # authors: two of them, et al., one as a subject, or after a verb that takes other work as its object
        ("two authors", "Ruiz and Tanaka (2023) trained a 1.3B-parameter model on 64 A100 GPUs for 12 days.", set()),
        ("two authors after we train", "We train Ruiz and Tanaka (2023) on 64 A100 GPUs for 12 days.", set()),
        ("et al. after we train", "We train Ruiz et al. (2023) on 64 A100 GPUs for 12 days.", set()),
        ("one author as subject", "Lindqvist (2022) trained a tagger on 64 A100 GPUs for 12 days.", set()),
        ("we follow", "We follow Lindqvist (2022) and train on 64 A100 GPUs for 12 days.", set()),
        ("we extend", "We extend Lindqvist (2022) with an encoder trained on 64 A100 GPUs for 12 days.", set()),
        ("we re-train", "We re-train Lindqvist (2022) on 64 A100 GPUs for 12 days.", set()),
        ("of an author", "We train the tagger of Lindqvist (2022) on 64 A100 GPUs for 12 days.", set()),
        ("a verb in another clause", "As we train, Lindqvist (2022) reports 64 A100 GPUs for 12 days.", set()),
        ("in parentheses", "We train Kestrel (Lindqvist, 2022) on 64 A100 GPUs for 12 days.", set()),
    ],
)
def test_an_own_model_before_a_year_in_brackets_is_no_citation(case, text, expected):
    assert found(text) == expected, case


@pytest.mark.parametrize(
    "case, text, expected",
    [
        (
            "after another model's sentence",
            "Our model is small. StarCoder was trained on 512 A100 GPUs. Both were released in 2023.",
            set(),
        ),
        (
            "after a cited sentence",
            "Okonkwo and Sato (2022) trained a tagger. They released it in 2022 and it ran on eight A100 GPUs.",
            set(),
        ),
        # the paper's own: after its own sentence, or in a new paragraph
        (
            "after the paper's own sentence",
            "We train Wren-2B on 32 H100 GPUs. It was released in 2024.",
            {("model", "Wren-2B"), ("gpu_count", "32"), ("hardware", "H100 GPUs"), ("year", "2024")},
        ),
        (
            "a new paragraph",
            "Our model is small. StarCoder was trained on 512 A100 GPUs.\nIts training ran in 2024 on 8 H100 GPUs.",
            {("year", "2024"), ("gpu_count", "8"), ("hardware", "H100 GPUs")},
        ),
    ],
)
def test_a_sentence_pointing_back_at_other_work_is_other_work(case, text, expected):
    assert found(text) == expected, case


@pytest.mark.parametrize(
    "text, expected",
    [
        # a list item or line whose key says it names the model the setup is about
        ("- Model: Tarn-Base, a 12-layer encoder.", {"Tarn-Base"}),
        ("- **Model:** Tarn-Base, a 12-layer encoder.", {"Tarn-Base"}),
        ("* **Model**: Tarn-Base", {"Tarn-Base"}),
        ("1. __Base model__: `Kiwi-3B`, fine-tuned on our logs.", {"Kiwi-3B"}),
        ("Model name: **Pika-XL**", {"Pika-XL"}),
        ("- Checkpoint: Gull-S-v2, trained from scratch.", {"Gull-S-v2"}),
        # other models listed the same way, or no name
        ("- Baseline model: ResNet-50", set()),
        ("- Teacher: Llama-2-13B, which labels the data.", set()),
        ("- Base model: Llama-2-13B (frozen), with adapters trained on top.", set()),
        ("- Model: a 12-layer transformer with 8 heads.", set()),
        ("We compare against Tarn-Base.\n\n- **Model:** Tarn-Base", set()),
        ("- Model used for evaluation only: Tarn-Base", set()),
    ],
)
def test_a_setup_line_names_its_model(text, expected):
    assert {name for kind, name in found(text) if kind == "model"} == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # two sizes of one family open a sentence, after one that says the paper trains or releases them
        (
            "We release two translation models for Luganda. KivuMT-base and KivuMT-big are encoder-decoder "
            "transformers with 74M and 418M parameters, respectively.",
            {("model", "KivuMT-base"), ("model", "KivuMT-big"), ("params", "74M"), ("params", "418M")},
        ),
        (
            "We release two dual encoders for code search. Sift-Base (125M) and Sift-Large (350M) share one layout.",
            {("model", "Sift-Base"), ("model", "Sift-Large"), ("params", "125M"), ("params", "350M")},
        ),
        (
            "Two affinity models are trained in this work. Affi-G1, Affi-G2 and Affi-G3 are graph networks.",
            {("model", "Affi-G1"), ("model", "Affi-G2"), ("model", "Affi-G3")},
        ),
        ("Tarn-S and Tarn-L are the models we train here.", {("model", "Tarn-S"), ("model", "Tarn-L")}),
        # another lab's family, compared with, cited, or after a sentence that trains nothing of the paper's
        ("We compare with two models. Pythia-1B and Pythia-7B are decoder-only transformers.", set()),
        ("We train our models on code. Llama-2-7B and Llama-2-13B (Touvron et al., 2023) are baselines.", set()),
        ("We train a small model. LLaMA-7B and LLaMA-65B, unlike ours, were trained on 1T tokens.", set()),
        ("Our data come from the PDB. Mola-S (22M) and Mola-L (48M) were released by another lab.", set()),
        # names of different families are no sizes of one
        ("We train two models. Orca-S and Kite-L are transformers.", set()),
    ],
)
def test_two_sizes_of_one_family_opening_a_sentence(text, expected):
    assert {f for f in found(text) if f[0] in ("model", "params")} == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # a size alone in brackets where the paper introduces its model
        ("We present Bison-54B (54B), trained from scratch.", {("model", "Bison-54B"), ("params", "54B")}),
        # where other work is named the same way, or the brackets hold something else
        (
            "Previous encoders were costly: Wav-BERT 2.0 (600M) took weeks. We instead train Kora-S.",
            {("model", "Kora-S")},
        ),
        ("We present Bison-54B (2024), trained from scratch.", {("model", "Bison-54B")}),
        ("We present Bison-54B (54B tokens), trained from scratch.", {("model", "Bison-54B")}),
    ],
)
def test_a_size_in_brackets_after_an_own_name(text, expected):
    assert {f for f in found(text) if f[0] in ("model", "params")} == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # a public checkpoint the paper trains further, when it names no model of its own
        (
            "We start from the public DINOv2 ViT-L/14 checkpoint and continue training all 300M parameters.",
            {("model", "DINOv2 ViT-L/14"), ("params", "300M")},
        ),
        (
            "Our starting point is the released Wren-small checkpoint (244M parameters), which we fine-tune on speech.",
            {("model", "Wren-small"), ("params", "244M")},
        ),
        (
            "For driving, we adapt the open Qwen2-VL-7B checkpoint. Each run of Qwen2-VL-7B was fine-tuned on 64 H100 GPUs.",
            {("model", "Qwen2-VL-7B"), ("gpu_count", "64"), ("hardware", "H100 GPUs")},
        ),
        ("We build our parser by fine-tuning LayoutLMv3-base on 86,000 invoices.", {("model", "LayoutLMv3-base")}),
        # a checkpoint used, compared with, frozen, cited, or only where the paper's own model started
        ("We evaluate the released Wren-small checkpoint zero-shot on our test set.", set()),
        ("All forces come from the publicly released MACE-MP-0 checkpoint.", set()),
        ("We fine-tune adapters on top of the frozen public CLIP-L checkpoint.", set()),
        ("We fine-tune our model and compare it with the public Wren-small checkpoint.", set()),
        ("We fine-tune the public Wren-small checkpoint (Radford et al., 2022) on speech.", set()),
        (
            "We start from the public Whisper large-v2 checkpoint and continue training it; the resulting model "
            "is called Wren-Kiswa.",
            {("model", "Wren-Kiswa")},
        ),
        ("Unlike fine-tuning LayoutLMv3-base, our parser is trained from scratch.", set()),
        # "checkpoint of M": M is the model, and the words before "checkpoint" what it was trained on
        (
            "We start from the public ImageNet-22k checkpoint of ConvNeXt-B and fine-tune every layer.",
            {("model", "ConvNeXt-B")},
        ),
        ("We start from the public checkpoint of ConvNeXt-B and fine-tune every layer.", {("model", "ConvNeXt-B")}),
        (
            "We fine-tune the released LAION-2B checkpoint of OpenCLIP ViT-H/14 on our data.",
            {("model", "OpenCLIP ViT-H/14")},
        ),
        # a data set is never the model, and "of" with no name gives nothing
        ("We start from the public ImageNet-22k checkpoint and fine-tune every layer.", set()),
        ("We fine-tune the released LAION-5B checkpoint on our data.", set()),
        ("We fine-tune the released COCO checkpoint of the detector on our data.", set()),
        ("We evaluate the public ImageNet-22k checkpoint of ConvNeXt-B zero-shot on our test set.", set()),
        ("We fine-tune our model and compare it with the public checkpoint of ConvNeXt-B.", set()),
    ],
)
def test_a_public_checkpoint_the_paper_fine_tunes(text, expected):
    assert {f for f in found(text) if f[0] != "training"} == expected


SETTINGS = (
    "| setting | value |\n|---|---|\n| parameters | 4.8B (dense) |\n| tokens seen | 1.6 trillion |\n"
    "| accelerators | 256 × TPU v4 chips |\n| wall-clock | 19 days |\n"
)


@pytest.mark.parametrize(
    "case, text, expected",
    [
        # a table of one run's settings: each row a key and its value, read as a "key: value" line is
        (
            "the paper's configuration block",
            "**Table 1.** Configuration of our run.\n\n" + SETTINGS,
            {("params", "4.8B"), ("gpu_count", "256"), ("hardware", "TPU v4 chips"), ("training", "19 days")},
        ),
        # another's configuration, a time that is not the run's, keys that say nothing the finder reads
        (
            "a configuration as published by others",
            "Table 1: Published configuration of GPT-3.\n| setting | value |\n|---|---|\n| parameters | 175B |\n"
            "| wall-clock | 34 days |\n",
            set(),
        ),
        (
            "a time per stretch of steps",
            "| setting | value |\n|---|---|\n| wall-clock | two days per 100k steps |\n",
            set(),
        ),
        (
            "settings of no fact",
            "| setting | value |\n|---|---|\n| layers | 36 |\n| vocabulary | 256,000 pieces |\n",
            set(),
        ),
    ],
)
def test_a_table_of_settings(case, text, expected):
    assert found(text) == expected, case


@pytest.mark.parametrize(
    "case, text, expected",
    [
        # a configuration's "key = value" lines and a run summary's dotted leaders read as "key: value" lines
        (
            "a TOML configuration",
            '    [model]\n    name = "Tidewise-2"\n    parameters = "18.5M"\n    layers = 6\n\n'
            '    [run]\n    accelerator = "AMD Instinct MI250X"\n    wall_clock = "40 hours"\n    trained = 2024\n',
            {
                ("model", "Tidewise-2"),
                ("params", "18.5M"),
                ("hardware", "AMD Instinct MI250X"),
                ("training", "40 hours"),
                ("year", "2024"),
            },
        ),
        (
            "a run summary",
            "    RUN SUMMARY\n    parameters ....... 3.1M\n    wall clock ....... 12 h\n    epochs ........... 80\n",
            {("params", "3.1M"), ("training", "12 h")},
        ),
        # a bare number after "size =" is no count of parameters; an ellipsis in prose is no leader
        ("a bare size", "We fit a ridge model.\n\n    alpha = 0.5\n    size = 12\n    duration = forever\n", set()),
        ("an ellipsis", "Wait... the parameters ... were 3.1M at most, I think.", set()),
        # a tracker's CSV export, one row per model, reads as a table; run ids and others' models do not
        (
            "a CSV export",
            "Our tracker's export, one row per model:\n\nrun,parameters,accelerators,wall_clock\n"
            "LarchNet-B,12.5M,2x A100 80GB,9 h\nLarchNet-S,3.1M,1x A100 80GB,4 h\n",
            {
                ("model", "LarchNet-B"),
                ("model", "LarchNet-S"),
                ("params", "12.5M"),
                ("params", "3.1M"),
                ("gpu_count", "2"),
                ("gpu_count", "1"),
                ("hardware", "A100 80GB"),
                ("training", "9 h"),
                ("training", "4 h"),
            },
        ),
        ("run ids", "Our sweep:\n\nrun,loss,wall_clock\nexp-041,0.31,2 h\nexp-042,0.29,3 h\n", set()),
        (
            "others' sizes",
            "Sizes reported by their authors:\n\nmodel,parameters\nLLaMA-65B,65B\nOPT-175B,175B\n",
            set(),
        ),
    ],
)
def test_configuration_and_run_summary_lines(case, text, expected):
    assert found(text) == expected, case


@pytest.mark.parametrize(
    "text, expected",
    [
        # the paper's own kind of model, then its name set off by commas
        ("Our agent, Tessellate, learns Hex through self-play.", {"Tessellate"}),
        ("Our chest X-ray report generator, RadScribe-7B, pairs an encoder with a decoder.", {"RadScribe-7B"}),
        # not a name, a word the text also writes in lower case, or someone else's
        ("Our optimiser, AdamW, uses a warm-up of 1,000 steps.", set()),
        ("Our policy, Greedy, picks the greedy move at each turn.", set()),
        ("Unlike our detector, Falcon, uses anchors.", set()),
        ("Our baseline model, Kestrel, is a plain CNN.", set()),
        ("Our collaborators in the chest X-ray study, Mendez and Okafor, labelled the scans.", set()),
    ],
)
def test_a_name_set_off_after_the_papers_kind_of_model(text, expected):
    assert {name for kind, name in found(text) if kind == "model"} == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # a heading's, a question's or a list item's first word, with a number or letter after it: no name
        ("Lecture 5 in brief\nWe trained Pika-3B on 8 A100 GPUs for 2 days.", {"Pika-3B"}),
        ("Did I miss anything? We trained Pika-3B on 8 A100 GPUs.", {"Pika-3B"}),
        ("Week 2. Gathered 900 clips of lambs from farms in Kenya.", set()),
        ("Recall F-score on the test split is 0.81, against 0.74 for the rule baseline.", set()),
        # but a plain word the text uses as a name elsewhere is one
        ("Orca 3 is our detector for whale calls; we trained Orca 3 on 2 A100 GPUs.", {"Orca 3"}),
        # a benchmark's name, with its noun after it, is no model; a name that leads one is
        ("# TideBench leaderboard (sea-level forecasting)\n\nEntries are ranked by RMSE.", set()),
        ("Heron-2 leads the leaderboard; we trained it on 4 A100 GPUs.", {"Heron-2"}),
        # a licence is no model
        ("Licence. CC BY 4.0 for the images; the code is released too.", set()),
        # a baseline named again at a sentence's start; the paper's own model compared later stays
        ("Baselines: a prompted Gemini-1.5 that writes code. Gemini-1.5 outputs fail half the time.", set()),
        (
            "SpotNet-2 detects bacilli in sputum images. Baselines: SpotNet-2 beats a fine-tuned ResNet-50.",
            {"SpotNet-2"},
        ),
    ],
)
def test_no_name_in_a_headings_first_words_a_licence_or_a_baseline_again(text, expected):
    assert {name for kind, name in found(text) if kind == "model"} == expected


GPUS_8_3_DAYS = {("gpu_count", "8"), ("hardware", "A100 GPUs"), ("training", "3 days")}


@pytest.mark.parametrize(
    "case, text, expected",
    [
        # a run only requested, supposed or planned: no fact
        (
            "a compute request",
            "For Tern-3 we request 9,000 GPU-hours on H200 nodes to train a 1B-parameter model for about two months.",
            set(),
        ),
        ("requesting", "We are requesting 64 H100 GPUs for six weeks to train Tern-3.", set()),
        (
            "what would come next",
            "The next step would be to fine-tune a small encoder (110M parameters) on the corrected forms.",
            set(),
        ),
        ("a plan", "The first plan foresaw a 400M-parameter variant; it was never built.", set()),
        (
            "a variant prototyped on paper, then the run",
            "A 90M-parameter variant was prototyped on paper but dropped; we trained the 45M-parameter model on "
            "4 A100 GPUs for 30 hours.",
            {("params", "45M"), ("gpu_count", "4"), ("hardware", "A100 GPUs"), ("training", "30 hours")},
        ),
        # but "would" in another clause, and "request" as a noun, leave the run's facts
        (
            "a run that was made",
            "Tern-2 was trained on 8 A100 GPUs for 3 days; a larger run would need a month.",
            GPUS_8_3_DAYS | {("model", "Tern-2")},
        ),
        (
            "request as a noun",
            "We trained Tern-2 (45M parameters) on a short request log, using 8 A100 GPUs for 3 days.",
            GPUS_8_3_DAYS | {("model", "Tern-2"), ("params", "45M")},
        ),
        # the spread of several runs' times, not one run's
        (
            "a range of times",
            "Each ablation took 2 to 6 hours on one A100 GPU.",
            {("gpu_count", "one"), ("hardware", "A100 GPU")},
        ),
        (
            "one run's time",
            "Tern-2 routes each token to 2 to 4 experts and was trained on 8 A100 GPUs for 3 days.",
            GPUS_8_3_DAYS | {("model", "Tern-2")},
        ),
        # another party's run, as they tell it
        (
            "what they say",
            "The supplier showed its ranker, which they say was trained on 64 A100 GPUs for a month in France.",
            set(),
        ),
        (
            "trained by its submitters",
            "Leaderboard entries come from detectors such as a YOLOv8-m trained by its submitters on two RTX 4090 "
            "cards for a day.",
            set(),
        ),
        # embeddings computed once with a frozen encoder: not the run
        (
            "embeddings computed",
            "Text embeddings from a frozen encoder were computed once on a single H100 in about two hours; the "
            "classifier trained on 1 A100 GPU for 3 hours.",
            {("gpu_count", "1"), ("hardware", "A100 GPU"), ("training", "3 hours")},
        ),
    ],
)
def test_runs_only_requested_supposed_or_told_by_others(case, text, expected):
    assert found(text) == expected, case


@pytest.mark.parametrize(
    "case, text, expected",
    [
        # the people who made or labelled the data, after "by": not where the run was
        (
            "labelled by people abroad",
            "We trained on 8 A100 GPUs at our lab in Kenya; the transcripts were checked by linguists in Ghana.",
            {("country", "Kenya"), ("gpu_count", "8"), ("hardware", "A100 GPUs")},
        ),
        (
            "drawn by students",
            "The sketches were drawn by art students in Brazil, and the model was trained on 4 V100 GPUs at our lab.",
            {("gpu_count", "4"), ("hardware", "V100 GPUs")},
        ),
        # an agent that is the paper's team, or a place that computes, is where the run was
        (
            "by our team",
            "The model was trained by our team in Kenya on 8 A100 GPUs.",
            {("country", "Kenya"), ("gpu_count", "8"), ("hardware", "A100 GPUs")},
        ),
        (
            "hosted by a computing centre",
            "Training ran on a cluster hosted by the national computing centre in Finland.",
            {("country", "Finland")},
        ),
        # an agent after a training verb ran the run: where they are is where it was
        (
            "trained by a contractor",
            "Our model was trained by a contractor in Norway on 2 A100 GPUs.",
            {("country", "Norway"), ("gpu_count", "2"), ("hardware", "A100 GPUs")},
        ),
        (
            "run by the staff",
            "The network was run by the ministry's IT staff in Kenya on 4 V100 GPUs.",
            {("country", "Kenya"), ("gpu_count", "4"), ("hardware", "V100 GPUs")},
        ),
        # but not a data verb before "by", nor another group's run or a baseline's authors
        (
            "labels assigned by nurses",
            "We trained on labels assigned by nurses in Peru, using 4 V100 GPUs.",
            {("gpu_count", "4"), ("hardware", "V100 GPUs")},
        ),
        (
            "pre-trained by another group abroad",
            "A transformer pre-trained by another group in France on 32 V100 GPUs for 5 days over-fits our data, "
            "which we fit on 2 A100 GPUs.",
            {("gpu_count", "2"), ("hardware", "A100 GPUs")},
        ),
        (
            "a baseline trained by its authors",
            "The baseline was trained by its authors in China; we trained ours on 2 A100 GPUs.",
            {("gpu_count", "2"), ("hardware", "A100 GPUs")},
        ),
        # another group's run, named as such
        (
            "pre-trained by another group",
            "A transformer pre-trained by another group on 32 V100 GPUs for 5 days over-fits our data, which we fit "
            "on 2 A100 GPUs.",
            {("gpu_count", "2"), ("hardware", "A100 GPUs")},
        ),
        (
            "our group",
            "Our group trained Wren-1B on 32 V100 GPUs for 5 days.",
            {("gpu_count", "32"), ("hardware", "V100 GPUs"), ("training", "5 days")},
        ),
        # stages summed "in all": the sum is the run's time; "on all 16" is no sum
        (
            "stages summed in all",
            "Pre-training took 5 days and fine-tuning 12 hours, about 5.5 days in all, on 16 A100 GPUs.",
            {("gpu_count", "16"), ("hardware", "A100 GPUs"), ("training", "about 5.5 days")},
        ),
        (
            "on all the GPUs",
            "Pre-training took 5 days on all 16 A100 GPUs, and fine-tuning took 12 hours.",
            {("gpu_count", "16"), ("hardware", "A100 GPUs"), ("training", "5 days"), ("training", "12 hours")},
        ),
        # a paper that retrains none of the models it discusses
        (
            "none retrained",
            "None of these models is retrained here. The largest has 90M parameters and was trained on 8 A100 GPUs.",
            set(),
        ),
        (
            "one trained here",
            "One of these models is trained here, on 8 A100 GPUs for 3 days.",
            {("gpu_count", "8"), ("hardware", "A100 GPUs"), ("training", "3 days")},
        ),
    ],
)
def test_whose_place_run_and_time_it_is(case, text, expected):
    assert found(text) == expected, case


@pytest.mark.parametrize(
    "case, text, expected",
    [
        # words that name no model the text trains
        ("a reviewer's point label", "R3.2 (compute). The run took 5 days on 8 A100 GPUs.", set()),
        ("a title's first word", "Sewer pipe defects from video. The clips come from the Sewer-ML set.", set()),
        ("a metric", "Macro-F1 rises from 0.51 to 0.58 with our tagger.", set()),
        ("a task before the kind", "Our text-to-SQL parser was trained on 4 A100 GPUs.", set()),
        (
            "a format after 'into'",
            "The decoder transcribes a page into MusicXML, and we train it on 4 A100 GPUs.",
            set(),
        ),
        ("after a heading of baselines", "**Baselines.** Kite-7B was trained on 8 V100 GPUs for 3 days.", set()),
        # names that are the paper's: a version number, a plain name with a verb, a setup heading, a student
        ("a dotted version", "Kestrel-2.1 (ours) was trained on 8 A100 GPUs.", {"Kestrel-2.1"}),
        ("a plain name and its verb", "Marlin predicts the next move. The engine is called Marlin.", {"Marlin"}),
        ("after a heading of setup", "**Setup.** Wren-7B was trained on 8 A100 GPUs for 3 days.", {"Wren-7B"}),
        ("a name with a digit for 'to'", "We train Text2SQL-7B on 4 A100 GPUs.", {"Text2SQL-7B"}),
        ("distilled into", "We distil a large classifier into Wren-Tiny, a 4-layer transformer.", {"Wren-Tiny"}),
    ],
)
def test_words_that_name_no_model_of_the_paper(case, text, expected):
    assert {name for kind, name in found(text) if kind == "model"} == expected, case


@pytest.mark.parametrize(
    "case, text, expected",
    [
        (
            "numbered citation before the figures",
            "Earlier models [3, 7] were trained on V100 GPUs for 3 days. We trained Wren-7B on 8 A100 GPUs.",
            {("model", "Wren-7B"), ("gpu_count", "8"), ("hardware", "A100 GPUs")},
        ),
        # after the figures, or before a "we": the paper's own run
        (
            "numbered citation after the figures",
            "We trained Wren-7B on 8 A100 GPUs for 3 days [12].",
            {("model", "Wren-7B"), ("gpu_count", "8"), ("hardware", "A100 GPUs"), ("training", "3 days")},
        ),
        (
            "a recipe cited, then we",
            "Following the recipe of [4], we trained Wren-7B on 8 A100 GPUs.",
            {("model", "Wren-7B"), ("gpu_count", "8"), ("hardware", "A100 GPUs")},
        ),
        (
            "a bracket that is no citation",
            "The ablation [Table 3] ran on 8 A100 GPUs.",
            {("gpu_count", "8"), ("hardware", "A100 GPUs")},
        ),
    ],
)
def test_a_numbered_citation_marks_the_figures_after_it(case, text, expected):
    assert found(text) == expected, case


@pytest.mark.parametrize(
    "case, text, expected",
    [
        # a run that was only planned is none
        (
            "a planned run",
            "We train Wren-7B. We also planned a longer run of 900 GPU-hours on H100 GPUs, but it was cancelled.",
            {("model", "Wren-7B")},
        ),
        (
            "trained as planned",
            "As planned, we trained Wren-7B on 8 A100 GPUs for 3 days.",
            {("model", "Wren-7B"), ("gpu_count", "8"), ("hardware", "A100 GPUs"), ("training", "3 days")},
        ),
    ],
)
def test_a_planned_run_is_no_run(case, text, expected):
    assert found(text) == expected, case


LATEX_OWN = (
    "Table 3 lists the runs we made.\n\n"
    "Model & Params & Hardware & Wall-clock \\\\\n"
    "\\midrule\n"
    "Tarn-S & 12M & 2 x RTX 4090 & 9 h \\\\\n"
    "Tarn-L & 140M & 8 x RTX 4090 & 41 h \\\\ \\hline\n"
)


@pytest.mark.parametrize(
    "case, text, expected",
    [
        # LaTeX rows are read as a table: cells split by "&", rows closed by "\\", rule lines between them
        (
            "the paper's runs",
            LATEX_OWN,
            {
                ("model", "Tarn-S"),
                ("params", "12M"),
                ("gpu_count", "2"),
                ("hardware", "RTX 4090"),
                ("training", "9 h"),
                ("model", "Tarn-L"),
                ("params", "140M"),
                ("gpu_count", "8"),
                ("training", "41 h"),
            },
        ),
        # other labs' models in LaTeX, and an aligned equation, give nothing
        (
            "other labs' models",
            "Model & Params & Hardware \\\\\n\\hline\nLLaMA-65B & 65B & 2048 x A100 \\\\\nOPT-175B & 175B & 992 x A100 \\\\\n",
            set(),
        ),
        ("an aligned equation", "\\begin{align}\nL & = L_1 + 2 L_2 \\\\\nL_2 & = 8 \\\\\n\\end{align}\n", set()),
    ],
)
def test_a_latex_table(case, text, expected):
    assert found(text) == expected, case


JSON_CONFIG = (
    "Its configuration, as stored with the checkpoint:\n\n"
    "{\n"
    '  "model": "Tarn-V",\n'
    '  "num_params": "96M",\n'
    '  "devices": "8 x Ascend 910B NPUs",\n'
    '  "wall_clock": "62 hours",\n'
    '  "epochs": 30\n'
    "}\n"
)


@pytest.mark.parametrize(
    "case, text, expected",
    [
        # a configuration's keys, quoted or with "_" for a space, and a terse hardware key
        (
            "a JSON configuration",
            JSON_CONFIG,
            {
                ("model", "Tarn-V"),
                ("params", "96M"),
                ("gpu_count", "8"),
                ("hardware", "Ascend 910B NPUs"),
                ("training", "62 hours"),
            },
        ),
        (
            "a YAML configuration",
            "model_name: Tarn-V\nnum_params: 96M\nwall_clock: 62 hours\n",
            {("model", "Tarn-V"), ("params", "96M"), ("training", "62 hours")},
        ),
        (
            "a terse hardware line",
            "HW: 4 × MI250X on the LUMI system in Finland.",
            {("gpu_count", "4"), ("hardware", "MI250X"), ("country", "Finland")},
        ),
        ("a list of devices", "- Devices: 2 x A100 GPUs", {("gpu_count", "2"), ("hardware", "A100 GPUs")}),
        # keys of other things, and devices of inference, give nothing
        ("inference devices", "Inference devices: one T4 GPU in Germany.", set()),
        ("other keys", '  "num_layers": "24",\n  "eval_hours": "3 hours",\n', set()),
    ],
)
def test_a_configuration_block_names_the_run(case, text, expected):
    assert found(text) == expected, case


@pytest.mark.parametrize(
    "case, text, expected",
    [
        # what another activity used is judged in its own clause
        (
            "validation in the next clause",
            "The first run of Tarn-S used two RTX 3090 cards in our lab; the validation loss diverged after 12 epochs.",
            {("gpu_count", "two"), ("hardware", "RTX 3090")},
        ),
        ("validation's own card", "Validation of Tarn-S ran on one RTX 3090 card.", set()),
        (
            "training, then validation",
            "The first run of Tarn-S used 8 A100 GPUs; validation runs on one T4 GPU.",
            {("gpu_count", "8"), ("hardware", "A100 GPUs")},
        ),
    ],
)
def test_another_activity_is_read_in_its_clause(case, text, expected):
    assert {f for f in found(text) if f[0] != "model"} == expected, case


@pytest.mark.parametrize(
    "case, text, expected",
    [
        # a name with its size after a space, and a name after an opening clause, as the subject of a verb
        (
            "a size after a space",
            "Arrival times are set by hand. Tide-LM 1.4B predicts the positions.",
            {"Tide-LM 1.4B"},
        ),
        (
            "after an opening clause",
            "Claims are slow. Given up to eight photos of a damaged car, DentScope marks each damaged part.",
            {"DentScope"},
        ),
        # a comparison or a citation opening the sentence, a kind rather than a name, two subjects
        ("after a comparison", "Claims are slow. For comparison, DentScope marks each damaged part.", set()),
        ("after a citation", "Claims are slow. Given the budget of Lee et al., DentScope marks each part.", set()),
        ("no name", "Claims are slow. Given a photo, the model marks each part.", set()),
        ("no verb of its own", "Claims are slow. Given a photo, DentScope and its rivals mark parts.", set()),
    ],
)
def test_a_name_as_the_subject_further_into_its_sentence(case, text, expected):
    assert {name for kind, name in found(text) if kind == "model"} == expected, case


@pytest.mark.parametrize(
    "case, text, expected",
    [
        # a model card's fields, with emphasis around the key
        ("the year it was trained", "- **Trained:** 2024.\n", {("year", "2024")}),
        ("a size and its noun", "- **Parameters:** 13 billion parameters\n", {("params", "13 billion")}),
        # years of other things, and a field that is no year
        ("a release year", "- **Released:** 2025.\n- **Data collected:** 2019.\n", set()),
        ("a trained field that is no year", "- **Trained:** on 3,000 hours of speech.\n", set()),
    ],
)
def test_a_model_cards_fields(case, text, expected):
    assert found(text) == expected, case


@pytest.mark.parametrize(
    "case, text, expected",
    [
        (
            "a policy that learned",
            "The policy learned from 64 simulator workers over 3 days.",
            {("training", "3 days")},
        ),
        ("annotators who learned", "Annotators learned the labelling guide over 2 days.", set()),
        ("participants who learned", "Participants learned the interface in 20 minutes.", set()),
    ],
)
def test_learning_is_training(case, text, expected):
    assert found(text) == expected, case


@pytest.mark.parametrize(
    "case, text, expected",
    [
        # an activity named by the verb that opens its clause is not the run
        ("embedding photos", "Embedding all 5.9 million photos took 6 hours on two H100 GPUs.", set()),
        (
            "after a clause of the run",
            "We trained Tarn-S on 8 A100 GPUs; indexing the corpus took 2 hours on one T4 GPU.",
            {("model", "Tarn-S"), ("gpu_count", "8"), ("hardware", "A100 GPUs")},
        ),
        # the run's own verbs, and "including" inside a clause
        (
            "training the detector",
            "Training the detector took 6 hours on two H100 GPUs.",
            {("gpu_count", "two"), ("hardware", "H100 GPUs"), ("training", "6 hours")},
        ),
        (
            "running the schedule",
            "Running the full schedule took 3 days on 8 A100 GPUs.",
            {("gpu_count", "8"), ("hardware", "A100 GPUs"), ("training", "3 days")},
        ),
        (
            "including a search",
            "Everything, including the search over 60 configurations, was run on a single RTX A6000.",
            {("gpu_count", "single"), ("hardware", "RTX A6000")},
        ),
    ],
)
def test_an_activity_named_by_its_verb(case, text, expected):
    assert found(text) == expected, case


@pytest.mark.parametrize(
    "case, text, expected",
    [
        # a size of a model that the clause says others made, before or after the phrase
        (
            "pre-trained by another group",
            "A transformer with 85M parameters, pre-trained on 2 million spectra by another group on 16 A100 GPUs, "
            "over-fits our samples.",
            set(),
        ),
        (
            "fine-tuned in concurrent work",
            "The generator is small; a 1.3B-parameter code model fine-tuned in concurrent work is more accurate, "
            "and we did not match its scale.",
            set(),
        ),
        # the paper's run on data another group shared
        (
            "data shared by another group",
            "We train Tarn-S (90M parameters) on 8 A100 GPUs, on data shared by another group.",
            {("model", "Tarn-S"), ("params", "90M"), ("gpu_count", "8"), ("hardware", "A100 GPUs")},
        ),
    ],
)
def test_a_model_others_made(case, text, expected):
    assert found(text) == expected, case


@pytest.mark.parametrize(
    "text, expected",
    [
        # a version word, and its size joined by a hyphen, are part of the name
        ("We fine-tuned ConvNeXt V2-B, with its 89M parameters, on our images.", {"ConvNeXt V2-B"}),
        ("We fine-tune Tarn V3 on 8 A100 GPUs.", {"Tarn V3"}),
        # a version of something else later in the sentence is not
        ("We fine-tune Tarn-7B on 8 A100 GPUs, v2 of the recipe.", {"Tarn-7B"}),
    ],
)
def test_a_name_with_a_version(text, expected):
    assert {name for kind, name in found(text) if kind == "model"} == expected


@pytest.mark.parametrize(
    "case, text, expected",
    [
        # a training verb nearer the year than the data: the year is the run's
        (
            "the model trained in a year",
            "Training ran on our cluster in Estonia, where the data were finalised and the model trained in 2025.",
            {("country", "Estonia"), ("year", "2025")},
        ),
        # the data's verb nearer the year, or another's publication, date something else
        ("a corpus collected", "The model was trained on a corpus collected in 2021.", set()),
        ("energies published", "We trained the network against reference energies published in 2019.", set()),
    ],
)
def test_the_verb_nearest_a_year_dates_it(case, text, expected):
    assert found(text) == expected, case


@pytest.mark.parametrize(
    "case, text, expected",
    [
        ("experiments that date from a year", "The experiments date from 2021.", {("year", "2021")}),
        # a range of years, and the data's years
        ("recordings over a range", "The recordings date from 2019 to 2021.", set()),
        ("a corpus that dates from a year", "The corpus dates from 2015.", set()),
        ("data from a year", "We use data from 2019.", set()),
    ],
)
def test_a_year_the_work_dates_from(case, text, expected):
    assert found(text) == expected, case
