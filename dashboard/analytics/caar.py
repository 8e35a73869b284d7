"""Across many events: average abnormal returns and the tests that hold up when miners move
together (MacKinlay 1997; Boehmer, Musumeci and Poulsen 1991).

Input: each unit's abnormal returns by event day (a complete window, −pre … +post) and its σ
from the single-event study. AAR_d = mean of AR_d over units; CAAR = cumulative AAR from −pre;
CAR_i = unit i's sum over the window; SCAR_i = CAR_i / (σ_i·√n).
- cross-sectional: t = CAAR / (sd(CAR_i, ddof=1) / √N), Student's t on N − 1;
- standardized (BMP): t = mean(SCAR_i) / (sd(SCAR_i, ddof=1) / √N), Student's t on N − 1;
- sign: k = #(CAR_i > 0), exact two-sided binomial test at 0.5;
- Wilcoxon signed-rank on the CAR_i (scipy's defaults).
The 95% band at day d: CAAR_d ± t(0.975, N − 1) × sd(CAR_i(d)) / √N, CAR_i(d) the unit's
cumulative AR to day d.
"""

import math

import numpy as np
import pandas as pd
from scipy import stats

from dashboard.errors import InputError

PATH_COLUMNS = ["day", "n", "aar", "caar"]
CAAR_SUMMARY_COLUMNS = ["unit", "model", "benchmark", "factor", "n", "caar", "t_cs", "p_cs", "t_bmp", "p_bmp",
                        "positive", "sign_p", "wilcoxon_p"]


def _t_test(values: np.ndarray) -> tuple[float, float]:
    n = len(values)
    sd = values.std(ddof=1)
    if sd == 0 or not math.isfinite(sd):
        return float("nan"), float("nan")
    t = values.mean() / (sd / math.sqrt(n))
    return float(t), float(2 * stats.t.sf(abs(t), df=n - 1))


def caar(abnormal: pd.DataFrame, sigma: pd.Series) -> tuple[pd.DataFrame, dict]:
    """Path (``PATH_COLUMNS`` plus ``lower``, ``upper``) and tests of units' abnormal returns.

    ``abnormal``: one row per unit, one column per event day (complete windows, no NaN);
    ``sigma``: each unit's σ, same index. Fewer than 2 units is an error.
    """
    n = len(abnormal)
    if n < 2:
        raise InputError(f"{n} unit{'s' if n != 1 else ''} in the selection: a cross-event study needs at "
                         "least 2 (widen the selection, or see the units left out)")
    ar = abnormal.to_numpy(float)
    cumulative = ar.cumsum(axis=1)
    aar = ar.mean(axis=0)
    path_caar = aar.cumsum()
    spread = cumulative.std(axis=0, ddof=1) / math.sqrt(n)
    quantile = stats.t.ppf(0.975, df=n - 1)
    path = pd.DataFrame({"day": abnormal.columns.astype(int), "n": n, "aar": aar, "caar": path_caar,
                         "lower": path_caar - quantile * spread, "upper": path_caar + quantile * spread})
    car = cumulative[:, -1]
    scar = car / (sigma.to_numpy(float) * math.sqrt(ar.shape[1]))
    t_cs, p_cs = _t_test(car)
    t_bmp, p_bmp = _t_test(scar)
    positive = int((car > 0).sum())
    tests = {"n": n, "caar": float(path_caar[-1]), "t_cs": t_cs, "p_cs": p_cs, "t_bmp": t_bmp, "p_bmp": p_bmp,
             "positive": positive, "sign_p": float(stats.binomtest(positive, n, 0.5).pvalue),
             "wilcoxon_p": float(stats.wilcoxon(car).pvalue) if np.any(car != 0) else float("nan")}
    return path, tests
