"""`mismatch`: a summary that names things this paper never mentions (it probably belongs to
another paper). Names the field uses everywhere (VAE, NeRF, HIPAA), names the abstract spells
out ("Neural Radiance Field" for NeRF) and names the abstract misspells (peechNr3D for
SpeechNr3D, HIPPA for HIPAA) are this paper's too."""

from __future__ import annotations

import re

from arxiv_digest.check.numbers import Known, mentions
from arxiv_digest.check.warning import warn
from arxiv_digest.models import Paper, SummaryFields
from arxiv_digest.textutil import ENGLISH_FUNCTION_WORDS

_NAME = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z0-9\-]*(?:\.[0-9]+)?(?![A-Za-z0-9])")
#: names every paper of the field may use without introducing them
STANDARD_NAMES = frozenset(
    """ai ml llm llms nlp cv rl gnn gnns cnn cnns rnn rnns lstm gru gpu gpus cpu tpu api apis
    sota dnn dnns mllm mllms vlm vlms vla llama gpt bert transformer transformers attention lora
    moe rag qa vqa kv id ids roc auc f1 mse rmse mae mape map ndcg mrr bleu rouge meteor iou miou
    psnr ssim lpips fid is clip vit vits mlp mlps vae vaes gan gans nerf nerfs scm crps pde pdes
    ode odes sde sdes mcmc em pca svd svm knn rlhf dpo ppo grpo sft cot icl ood iid ocr asr tts
    ner pos slam lidar iot uav uavs fpga asic sql json xml http hipaa gdpr eeg ecg mri ct fmri
    kl elbo sgd adam relu gelu rope ffn ssm ssms mdp mdps pomdp marl drl tdd ci cd ui ux llava
    qwen mistral gemini claude deepseek openai google meta nvidia cuda""".split()
)


def _names(text: str) -> set[str]:
    """Distinctive names in a summary: any token with a capital or a digit inside it, or any
    Latin word in CJK text (a Chinese summary keeps names in English)."""
    cjk_text = bool(re.search(r"[\u4e00-\u9fff]", text))
    out = set()
    for token in _NAME.findall(text):
        low = token.lower()
        if low in ENGLISH_FUNCTION_WORDS or low in STANDARD_NAMES or len(token) < 2:
            continue
        if cjk_text or re.search(r"[A-Z].*[A-Z0-9]|[0-9]", token[1:]):
            out.add(token)
    return out


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower())


_LATIN_PHRASE = re.compile(r"[A-Za-z][A-Za-z\-]*(?:[ \-]+[A-Za-z][A-Za-z\-]*)+")


def _initials(words: list[str]) -> str:
    return "".join("".join(ch for ch in w if ch.isupper()) or w[0].upper() for w in words)


def _expansions(text: str, source: str) -> set[str]:
    """Words that spell out an acronym of the paper ("SHapley Additive exPlanations" = SHAP)."""
    acronyms = set(re.findall(r"\b[A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9]*\b", source))
    found: set[str] = set()
    for match in _LATIN_PHRASE.finditer(text):
        words = [w for w in re.split(r"[ \-]+", match.group(0)) if w]
        for i in range(len(words)):
            for j in range(i + 2, len(words) + 1):
                if _initials(words[i:j]) in acronyms:
                    found.update(words[i:j])
    return found


def _spelled_out(name: str, source: str) -> bool:
    """Is an acronym of the summary spelt out in the paper: NeRF for "Neural Radiance Field",
    HIPAA for "Health Insurance Portability and Accountability Act"?"""
    capitals = "".join(ch for ch in name if ch.isupper())
    lower = sum(ch.islower() for ch in name)
    if len(capitals) < 3 or lower > len(capitals):
        return False  # an acronym (NeRF, HIPAA), not a coined word (PromptPrism)
    for match in _LATIN_PHRASE.finditer(source):
        words = [
            w
            for w in re.split(r"[ \-]+", match.group(0))
            if w and w.lower() not in ENGLISH_FUNCTION_WORDS
        ]
        initials = "".join(w[0].upper() for w in words)
        if capitals in initials:
            return True
    return False


def _near(word: str, words: set[str]) -> bool:
    """Is `word` one edit (a letter dropped, added, changed or two exchanged) from a word of
    the paper? Abstracts misspell names too."""
    if len(word) < 4:
        return False
    for other in words:
        if abs(len(other) - len(word)) > 1 or len(other) < 4:
            continue
        if len(other) == len(word):
            diff = [i for i in range(len(word)) if word[i] != other[i]]
            if len(diff) <= 1:
                return True
            if len(diff) == 2 and diff[1] == diff[0] + 1:
                a, b = diff
                if word[a] == other[b] and word[b] == other[a]:
                    return True
        else:
            short, long_ = sorted((word, other), key=len)
            if any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_))):
                return True
    return False


def another_papers(fields: SummaryFields, paper: Paper, known: Known) -> list[str]:
    text = " ".join(fields.as_dict().values())
    raw_source = f"{paper.title}\n{paper.abstract}\n{paper.comment or ''}"
    source = _squash(raw_source)
    source_words = set(re.findall(r"[a-z0-9]+", raw_source.lower()))
    names = _names(text) - _expansions(text, raw_source)
    absent = sorted(
        n
        for n in names
        if _squash(n) not in source
        and not _spelled_out(n, raw_source)
        and not _near(_squash(n), source_words)
    )
    figures = [m for m in mentions(text) if m.value >= 10]
    missing = [m for m in figures if not known.accounts_for(m)]
    evidence = len(names) + len(figures)
    against = len(absent) + len(missing)
    # one coined name (GTL-CIRL, SimRPD) the paper never mentions is enough; plain words need two
    coined = any(re.search(r"[a-z][A-Z]|[A-Z]{3}|[A-Z]-[A-Z]", n) for n in absent)
    if against >= (1 if coined else 2) and against / max(evidence, 1) >= 0.5:
        shown = ", ".join([*absent[:3], *(m.text.strip() for m in missing[:2])])
        return [warn("mismatch", "all", "names what the abstract never mentions", shown)]
    return []
