# Records the reference values of tests/Descent.Lab.Tests/Statistics/StatisticsTests.cs with SciPy.
# Run: /usr/bin/python3 tests/Descent.Lab.Tests/Fixtures/record_statistics.py  (Debian python3-scipy; the tests do not need Python)
import numpy as np, scipy, scipy.stats as st
print("scipy", scipy.__version__)
for p, df in [(0.975, 1), (0.975, 2), (0.975, 3), (0.975, 9), (0.95, 4.5), (0.995, 29), (0.999, 1000), (0.6, 0.7), (0.025, 5)]:
    print("t.ppf", p, df, repr(st.t.ppf(p, df)))
for t, df in [(2.5, 3), (-1.2, 7.5), (10.0, 2), (0.3, 100)]:
    print("t.cdf", t, df, repr(st.t.cdf(t, df)))
for p in [1e-10, 0.01, 0.3, 0.975]:
    print("norm.ppf", p, repr(st.norm.ppf(p)))
for x, k in [(3.841, 1), (10.0, 4), (0.5, 3)]:
    print("chi2.sf", x, k, repr(st.chi2.sf(x, k)))
for b, c in [(12, 3), (40, 25), (5, 5), (0, 7), (300, 240)]:
    ex = st.binomtest(b, b + c, 0.5).pvalue
    gr = st.binomtest(b, b + c, 0.5, alternative="greater").pvalue
    chi = (abs(b - c) - 1) ** 2 / (b + c)
    print("mcnemar", b, c, repr(ex), repr(gr), repr(chi), repr(st.chi2.sf(chi, 1)))
a = [0.912, 0.887, 0.901, 0.934, 0.879, 0.921, 0.899, 0.915]
b = [0.905, 0.881, 0.899, 0.920, 0.882, 0.910, 0.893, 0.904]
r = st.ttest_rel(a, b); print("ttest_rel", repr(r.statistic), repr(r.pvalue))
print("ttest_rel greater margin -0.002", repr(st.ttest_1samp(np.subtract(a, b), -0.002, alternative="greater").pvalue))
d = np.subtract(a, b); se = d.std(ddof=1) / np.sqrt(len(d)); h = st.t.ppf(0.975, len(d) - 1) * se
print("ci", repr(d.mean() - h), repr(d.mean() + h))
w = st.wilcoxon(a, b); print("wilcoxon exact", repr(w.statistic), repr(w.pvalue))
x = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30]; y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29]
w = st.wilcoxon(x, y); print("wilcoxon exact2", repr(w.statistic), repr(w.pvalue))
w = st.wilcoxon(x, y, alternative="greater"); print("wilcoxon greater", repr(w.statistic), repr(w.pvalue))
rng = np.random.default_rng(3); u = np.round(rng.normal(0.2, 1, 60), 1); v = np.zeros(60)
w = st.wilcoxon(u, v); print("wilcoxon approx ties", list(u), repr(w.statistic), repr(w.pvalue))
p = [0.01, 0.04, 0.03, 0.005, 0.5]
m = len(p); o = np.argsort(p); adj = np.empty(m); run = 0
for k, i in enumerate(o): run = max(run, min(1, (m - k) * p[i])); adj[i] = run
print("holm", list(adj))
sx = [1, 2, 3, 4, 5, 6, 7]; sy = [2, 1, 4, 3, 7, 5, 6]
print("spearman", repr(st.spearmanr(sx, sy).correlation), repr(st.spearmanr(sx, sy).pvalue))
sx = [0.0, 0.1, 0.1, 0.4, 0.9, 1.5]; sy = [3.0, 2.0, 2.5, 2.5, 0.5, 1.0]
print("spearman ties", repr(st.spearmanr(sx, sy).correlation), repr(st.spearmanr(sx, sy).pvalue))
print("wilson", st.binomtest(30, 100).proportion_ci(0.95, method="wilson"))
w = st.wilcoxon(a, b, mode="approx"); print("wilcoxon approx (a, b have tied |d|)", repr(w.statistic), repr(w.pvalue))
print("t.cdf at scipy's own t.ppf(0.025, 5) (SciPy's quantile is good to ~1e-9 only)", repr(st.t.cdf(st.t.ppf(0.025, 5), 5)))
