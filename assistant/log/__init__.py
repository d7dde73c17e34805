"""The local log (SQLite, WAL, named migrations): interactions, conversations, egress,
the answer cache, eval runs, MCP tool calls, and the figures `margin stats` shows."""

from assistant.log.cache import AnswerCache
from assistant.log.conversations import ConversationSummary, Turn
from assistant.log.database import LogDatabase, open_log
from assistant.log.egress import EgressEntry, EgressLog
from assistant.log.errors import (
    InvalidRatingError,
    LogDamagedError,
    LogError,
    LogWriteError,
    UnknownConversationError,
    UnknownEvalRunError,
    UnknownInteractionError,
)
from assistant.log.eval_runs import EvalRun, EvalRuns
from assistant.log.interactions import Feedback, InteractionLog, InteractionRecord, Rating
from assistant.log.mcp_calls import LoggedMcpCall, McpCall, McpCallLog
from assistant.log.stats import Percentiles, Stats, compute_stats, percentile

__all__ = [
    "AnswerCache",
    "ConversationSummary",
    "EgressEntry",
    "EgressLog",
    "EvalRun",
    "EvalRuns",
    "Feedback",
    "InteractionLog",
    "InteractionRecord",
    "InvalidRatingError",
    "LogDamagedError",
    "LogDatabase",
    "LogError",
    "LogWriteError",
    "LoggedMcpCall",
    "McpCall",
    "McpCallLog",
    "Percentiles",
    "Rating",
    "Stats",
    "Turn",
    "UnknownConversationError",
    "UnknownEvalRunError",
    "UnknownInteractionError",
    "compute_stats",
    "open_log",
    "percentile",
]
