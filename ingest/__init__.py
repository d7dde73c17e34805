"""File to table: walk, load, chunk, embed and store documents in LanceDB."""
