"""Chat models behind one interface: llama.cpp in process, OpenAI-compatible HTTP, a fake."""
