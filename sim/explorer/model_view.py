"""The model view: pick a scenario and a strategy, set parameters, step, play, reset, watch.

Laid out like Mesa's SolaraViz: a side column with the *Controls* card (Reset, play/pause,
Step), the *Model Parameters* card (scenario, strategy, replicates, seed and sliders whose ranges
come from ``multivector parameters``) and the *Information* card (current quarter and the
scenario events that fired); the charts fill the rest. A changed choice rebuilds the model and
runs it to the same quarter, so two strategies are compared at the same point in time; Reset
goes back to the start.
"""

import time

import solara

from sim.analysis.palette import OKABE_ITO
from sim.analysis.svg import Band, fan_chart
from sim.explorer.results_view import PAGE_CSS
from sim.explorer.session import PANELS, ModelSession, sliders, strategies
from sim.model.scenario import shipped_scenarios

PLAY_INTERVAL_MS = 150
"""Default pause between steps while playing (a slider changes it, as in SolaraViz)."""


def scenario_names() -> list[str]:
    """Shipped scenario names (the model view's choices)."""
    return sorted(shipped_scenarios())


@solara.component
def ModelView() -> None:
    """The model view's page content."""
    scenario = solara.use_reactive("baseline_2023")
    strategy = solara.use_reactive("multivector")
    replicates = solara.use_reactive(20)
    seed = solara.use_reactive(1)
    overrides = solara.use_reactive({})
    resets = solara.use_reactive(0)
    tick = solara.use_reactive(0)
    playing = solara.use_reactive(False)
    interval = solara.use_reactive(PLAY_INTERVAL_MS)
    reached = solara.use_ref(0)

    def build() -> ModelSession:
        session = ModelSession(
            scenario.value, strategy.value, replicates.value, seed.value, dict(overrides.value)
        )
        session.step(reached.current)
        return session

    key = [scenario.value, strategy.value, replicates.value, seed.value, str(sorted(overrides.value.items()))]
    session = solara.use_memo(build, [*key, resets.value])

    def step() -> None:
        session.step()
        reached.current = session.step_count
        tick.set(tick.value + 1)

    def reset() -> None:
        playing.set(False)
        reached.current = 0
        resets.set(resets.value + 1)

    def play() -> None:
        while playing.value and session.running:
            step()
            time.sleep(interval.value / 1000)
        playing.set(False)

    solara.lab.use_task(play, dependencies=[playing.value, session], prefer_threaded=True)

    def choose_scenario(name: str) -> None:
        overrides.set({})
        scenario.set(name)

    with solara.Columns([1, 3]):
        with solara.Column():
            with solara.Card("Controls"):
                ControlButtons(session, playing, step, reset)
                solara.SliderInt(
                    f"Play interval = {interval.value} ms", value=interval, min=20, max=1000, step=10
                )
            with solara.Card("Information"):
                Information(session, tick.value)
            with solara.Card("Model Parameters"):
                solara.Select(
                    "scenario", value=scenario.value, values=scenario_names(), on_value=choose_scenario
                )
                solara.Select("strategy", value=strategy, values=strategies())
                solara.SliderInt(f"replicates = {replicates.value}", value=replicates, min=1, max=100)
                solara.InputInt("seed", value=seed)
                for slider in sliders(scenario.value):
                    value = overrides.value.get(slider.path, slider.default)
                    solara.HTML(
                        tag="div",
                        unsafe_innerHTML=f"{slider.path} = <b>{value:.3g}</b>",
                        style={"font-size": "13px", "margin-top": "6px"},
                        attributes={"title": slider.description},
                    )
                    solara.SliderFloat(
                        "",
                        value=value,
                        min=slider.low,
                        max=slider.high,
                        step=slider.step,
                        on_value=lambda v, p=slider.path: overrides.set({**overrides.value, p: v}),
                    )
                solara.Text("Changing a choice re-runs the model to the current quarter.")
        with solara.Column():
            Charts(session, tick.value)


@solara.component
def ControlButtons(session: ModelSession, playing: solara.Reactive[bool], step, reset) -> None:
    """Reset, play/pause and Step, as in SolaraViz's controller."""
    with solara.Row(justify="space-between"):
        solara.Button("Reset", color="primary", on_click=reset)
        solara.Button(
            "❚❚" if playing.value else "▶",
            color="primary",
            on_click=lambda: playing.set(not playing.value),
            disabled=not session.running,
        )
        stopped = playing.value or not session.running
        solara.Button("Step", color="primary", on_click=step, disabled=stopped)


@solara.component
def Information(session: ModelSession, tick: int) -> None:
    """Current quarter and step, and the scenario events fired so far."""
    total = session.model.params.steps
    solara.HTML(
        tag="div",
        unsafe_innerHTML=(
            f'<p>Quarter <b id="mv-quarter">{session.quarter}</b> '
            f'(step <span id="mv-step">{session.step_count}</span> of {total}), '
            f"{session.replicates} replicates, {session.strategy}, {session.scenario}</p>"
        ),
    )
    fired = "".join(f"<li>{q}: {name}</li>" for q, name in session.events) or "<li>none yet</li>"
    solara.HTML(tag="div", unsafe_innerHTML=f'<p>Events fired:</p><ul id="mv-events">{fired}</ul>')


@solara.component
def Charts(session: ModelSession, tick: int) -> None:
    """Fan charts over replicates of the :data:`PANELS`, two a row."""
    labels = session.quarter_labels()
    charts = []
    for i, (title, prefix) in enumerate(PANELS.items()):
        bands = []
        for k, column in enumerate(session.columns(prefix)):
            x, low, mid, high = session.fan(column)
            name = column.removeprefix(prefix) or column
            bands.append(Band(name, OKABE_ITO[k % len(OKABE_ITO)], x, mid, low, high))
        charts.append(fan_chart(bands, title=title, x_labels=labels, chart_id=f"mv-chart-{i}", width=440))
    note = (
        f"<style>{PAGE_CSS}</style><p style='font-size:13px;color:#555'>Line: median over "
        "replicates; band: 5th to 95th percentile.</p>"
    )
    solara.HTML(
        tag="div",
        unsafe_innerHTML=note
        + "<div style='display:flex;flex-wrap:wrap;gap:12px'>"
        + "".join(charts)
        + "</div>",
    )
