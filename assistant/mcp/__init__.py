"""margin as an MCP server (`margin mcp`): the person's documents for any agent, behind the
same guardrails as a remote model.

`specs` (the tools as a client lists them), `arguments` (checks on what a client sends),
`policy` (what may leave: local-only, injected instructions, masking), `tools` (the tools over
an Assistant, SDK-free), `server` (the official SDK's stdio server around them).
"""
