"""The agent-based model: parameters, scenarios, events, world, strategies, agents, metrics."""
