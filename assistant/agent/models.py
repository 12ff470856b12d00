"""Chat models by name: "offline" (the rule planner, default), "openai" (any OpenAI-compatible
server), "hf" (a local Hugging Face causal LM folder). Heavy clients import lazily."""

from __future__ import annotations

import logging
import os
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import ConfigDict, Field, PrivateAttr, SecretStr

from retrieval.errors import ConfigError

from .constrained import ConstrainedToolModel
from .limits import TurnLimits
from .planner import OfflinePlanner
from .probe import AutoToolModel

log = logging.getLogger(__name__)

MODELS = ("offline", "openai", "hf")


TOOL_MODES = ("native", "constrained", "auto")


def make_model(model: str | BaseChatModel = "offline", *, limits: TurnLimits | None = None,
               **options: Any) -> BaseChatModel:
    """A chat model by name (or the model itself, passed through)."""
    if isinstance(model, BaseChatModel):
        return model
    limits = limits or TurnLimits.from_env()
    if model == "offline":
        return OfflinePlanner()
    if model == "openai":
        return openai_model(limits=limits, **options)
    if model == "hf":
        return HFChatModel(path=options.get("path") or os.environ.get("SHOPASSIST_HF_MODEL", ""),
                           max_new_tokens=int(options.get("max_new_tokens", limits.max_tokens)))
    raise ConfigError(f"unknown model {model!r}; choose one of {', '.join(MODELS)}.")


def openai_model(base_url: str | None = None, model_name: str | None = None, api_key: str | None = None,
                 tool_mode: str | None = None, *, limits: TurnLimits | None = None, **options: Any) -> BaseChatModel:
    """Any OpenAI-compatible server. tool_mode (or SHOPASSIST_TOOL_MODE): "native" tool calls,
    "constrained" (one JSON object per reply, by `response_format` schema), or "auto" (the
    default: probed once, on the first request)."""
    try:
        from langchain_openai import ChatOpenAI
    except ImportError as exc:  # an optional extra
        raise ConfigError("the openai model needs langchain-openai: pip install 'shopassist[openai]'") from exc
    key = api_key or os.environ.get("SHOPASSIST_OPENAI_API_KEY") or os.environ.get("OPENAI_API_KEY")
    if not key:
        raise ConfigError("set SHOPASSIST_OPENAI_API_KEY (or OPENAI_API_KEY) for the openai model.")
    mode = tool_mode or os.environ.get("SHOPASSIST_TOOL_MODE") or "auto"
    if mode not in TOOL_MODES:
        raise ConfigError(f"tool mode must be one of {', '.join(TOOL_MODES)}, got {mode!r}.")
    limits = limits or TurnLimits.from_env()
    # Every request is bounded: a token limit (some servers write without end unless told)
    # and a client timeout; one retry at most.
    client = ChatOpenAI(
        base_url=base_url or os.environ.get("SHOPASSIST_OPENAI_BASE_URL"),
        model=model_name or os.environ.get("SHOPASSIST_OPENAI_MODEL", "gpt-4o-mini"),
        api_key=SecretStr(key), temperature=0, max_retries=options.pop("max_retries", 1),
        # max_completion_tokens: the name ChatOpenAI's max_tokens field takes in its signature.
        max_completion_tokens=options.pop("max_tokens", limits.max_tokens), timeout=options.pop("timeout", limits.call_seconds),
        **options,
    )
    if mode == "native":
        return client
    if mode == "constrained":
        return ConstrainedToolModel(inner=client)
    return AutoToolModel(inner=client)


class HFChatModel(BaseChatModel):
    """A local causal LM through transformers' chat template; tool calls come back as JSON text,
    which the loop reads (see `loop.text_tool_calls`). Loads on first use, on the GPU if any."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    path: str
    max_new_tokens: int = 512
    tools: list[dict[str, Any]] = Field(default_factory=list)
    _loaded: Any = PrivateAttr(default=None)

    @property
    def _llm_type(self) -> str:
        return "shopassist-hf"

    def bind_tools(self, tools, *, tool_choice=None, **kwargs):  # noqa: ANN001 - LangChain's signature
        from langchain_core.utils.function_calling import convert_to_openai_tool

        copy = self.model_copy(update={"tools": [convert_to_openai_tool(t) for t in tools]})
        copy._loaded = self._load()  # share the weights between the bound and unbound model
        return copy

    def _load(self):
        if self._loaded is None:
            if not self.path or not os.path.isdir(self.path):
                raise ConfigError("the hf model needs a local model folder (SHOPASSIST_HF_MODEL or path=).")
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer

            device = "cuda" if torch.cuda.is_available() else "cpu"
            tok = AutoTokenizer.from_pretrained(self.path)
            lm = AutoModelForCausalLM.from_pretrained(
                self.path, dtype=torch.bfloat16 if device == "cuda" else torch.float32).to(device)
            log.info("loaded %s on %s", self.path, device)
            self._loaded = (tok, lm, device)
        return self._loaded

    def _generate(self, messages: list[BaseMessage], stop=None, run_manager=None, **kwargs) -> ChatResult:  # noqa: ANN001
        tok, lm, device = self._load()
        role = {"human": "user", "ai": "assistant", "system": "system", "tool": "tool"}
        chat = [{"role": role.get(m.type, "user"), "content": str(m.content)
                 or (str(getattr(m, "tool_calls", "")) if m.type == "ai" else "")} for m in messages]
        inputs = tok.apply_chat_template(chat, tools=self.tools or None, add_generation_prompt=True,
                                         return_tensors="pt", return_dict=True).to(device)
        out = lm.generate(**inputs, max_new_tokens=self.max_new_tokens, do_sample=False)
        text = tok.decode(out[0, inputs["input_ids"].shape[1]:], skip_special_tokens=True)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text.strip()))])
