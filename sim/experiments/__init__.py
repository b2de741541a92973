"""Experiments over the model: seeds and chunks, runs, designs, sweeps, stores and backends."""
