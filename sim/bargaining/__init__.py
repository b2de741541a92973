"""Issue-level bargaining: forecasts of single decisions from actors' positions, saliences, capabilities.

Beside the agent-based model and independent of it (no Mesa): the Scholz, Calbert & Smith (2011)
reconstruction of Bueno de Mesquita's expected-utility model (:mod:`.bdm`), a one-dimensional
version of KAPSARC's KTAB spatial model (:mod:`.ktab`), the two baselines reported beside every
forecast (:mod:`.baselines`), issue input (:mod:`.issues`, :mod:`.capability`), replicates over
stated input ranges (:mod:`.forecast`), the link to a model run (:mod:`.link`) and the result
files (:mod:`.output`). docs/bargaining.md has the equations and their sources.
"""
