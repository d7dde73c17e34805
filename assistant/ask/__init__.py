"""The question-to-answer pipeline, one concern per module.

`types` (what goes in and comes out), `pipeline` (`AskRun`, the stages in order),
`dependencies` (what the pipeline is given), `retrieval`, `calculator`, `prompting`,
`budget` (cost limits before a call) and `clock` (latency per stage). The guardrails it
applies live in `assistant.guardrails`.
"""
