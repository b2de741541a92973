"""Experiments on the model: seeds and replicate chunks, runs, designs, sweeps, store, backends.

``run_experiment`` is what ``multivector run`` does and ``run_sweep`` what ``multivector sweep``
does; both write result folders that ``sim.analysis`` reads. Public names load on first use.
"""

from typing import TYPE_CHECKING

from sim import lazy_exports

_EXPORTS = {
    "RunRequest": "experiment",
    "plan_experiment": "experiment",
    "run_experiment": "experiment",
    "ChunkSpec": "runner",
    "run_chunk": "runner",
    "derive_seed": "seeding",
    "load_sweep": "sweep_spec",
    "run_sweep": "sweep",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

if TYPE_CHECKING:
    from sim.experiments.experiment import RunRequest as RunRequest
    from sim.experiments.experiment import plan_experiment as plan_experiment
    from sim.experiments.experiment import run_experiment as run_experiment
    from sim.experiments.runner import ChunkSpec as ChunkSpec
    from sim.experiments.runner import run_chunk as run_chunk
    from sim.experiments.seeding import derive_seed as derive_seed
    from sim.experiments.sweep import run_sweep as run_sweep
    from sim.experiments.sweep_spec import load_sweep as load_sweep
