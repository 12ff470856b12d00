"""The shopping agent: tools over the retriever, a planner or LLM, a bounded loop, grounding."""

from .grounding import Grounding, Ledger, Verdict
from .loop import AgentLoop, LoopResult
from .models import make_model
from .planner import OfflinePlanner
from .tools import ToolBox
from .writer import ToolResult

__all__ = ["AgentLoop", "Grounding", "Ledger", "LoopResult", "OfflinePlanner", "ToolBox", "ToolResult",
           "Verdict", "make_model"]
