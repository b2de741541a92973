"""A small posterior file for tests: three weighted particles of two parameters."""


def small_posterior(spec: str = "test") -> str:
    """The TOML text of a valid posterior over trade inertia and sanctions friction."""
    return f'''spec = "{spec}"
method = "ABC-SMC"
seed = 1

[prior."pivot.trade_inertia"]
low = 0.02
high = 0.4
source = "assumption (test)"

[prior."world.sanctions_friction"]
low = 0.0
high = 0.6
source = "assumption (test)"

[particles]
weight = [0.5, 0.3, 0.2]
"pivot.trade_inertia" = [0.03, 0.2, 0.38]
"world.sanctions_friction" = [0.0, 0.3, 0.6]
'''
