"""Evaluation: golden sets, retrieval and answer metrics, run comparison and reports."""
