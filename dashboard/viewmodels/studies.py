"""The cross-event study screen: the CAAR path with its band, the tests in plain words, the units."""

from dashboard.errors import MinerdashError
from dashboard.figures.charts import caar_figure
from dashboard.figures.theme import themed
from dashboard.numbers import format_value
from dashboard.params import CaarParams
from dashboard.studies import cross_event_study


def sentence(result, params: CaarParams, benchmark: str) -> str:
    """e.g. 'On 14 events, the selected tickers' equal-weight portfolio fell 3.1% on average beyond what
    BTC-USD explains over −1…+5: t −2.40, p 0.03 (cross-sectional); …; 3 of 14 positive (sign test p 0.06).'"""
    tests, windows = result.tests, params.study.windows
    n = int(tests["n"])
    counted = result.units.loc[result.units["included"], "event_id"]
    what = (f"{n} events, the selected tickers' equal-weight portfolio" if params.unit == "event"
            else f"{n} (event, ticker) pairs from {counted.nunique()} events, the tickers")
    two_factor = params.study.model == "two-factor"
    beyond = f"{benchmark} and {params.study.factor} explain" if two_factor else f"{benchmark} explains"
    return (f"On {what} {'rose' if tests['caar'] > 0 else 'fell'} {abs(tests['caar']):.1%} on average beyond "
            f"what {beyond} over −{windows.pre}…+{windows.post}: t {format_value('decimal', tests['t_cs'])}, "
            f"p {tests['p_cs']:.3g} (cross-sectional); standardized t {format_value('decimal', tests['t_bmp'])}, "
            f"p {tests['p_bmp']:.3g}; {int(tests['positive'])} of {n} positive (sign test p {tests['sign_p']:.3g}).")


def studies_view(reads, params: CaarParams, theme: str) -> dict:
    """Figure, tests, units and the sentence of one selection (one cache entry per theme)."""

    def compute() -> dict:
        resolved = CaarParams(params.selection, params.study.resolved(reads.settings.benchmark,
                                                                      reads.settings.factor), params.unit)
        try:
            result = cross_event_study(reads.prices, reads.stored_tickers(), reads.events(), resolved,
                                       reads.settings)
        except MinerdashError as exc:
            return {"error": str(exc)}
        units = result.units.assign(event_link="/events/" + result.units["event_id"])
        return {"figure": themed(caar_figure(result.path, theme), theme), "summary": result.summary,
                "path": result.path, "units": units, "events": len(result.events),
                "sentence": sentence(result, resolved, resolved.study.benchmark),
                "left_out": int((~units["included"]).sum())}

    return reads.memo("studies", (params, theme), compute)
