#!/usr/bin/env python3
"""The default citybench ranking method (design §7, min-max) in pandas: the baseline that
Benchmarks/RankBench compares itself with on the same file in the same run.

usage: rank_pandas.py CELLS.csv CATALOG.json OUT.json
Writes {"seconds": s, "overall": {city: score}} and prints the seconds.
"""
import json
import math
import sys
import time

import numpy as np
import pandas as pd


def granularity(period: pd.Series) -> pd.Series:
    g = pd.Series(0, index=period.index)  # 0 year, 1 quarter, 2 month
    g[period.str.len() == 7] = 2
    g[period.str.contains("-Q", regex=False)] = 1
    return g


def rank(cells_path: str, catalog_path: str) -> dict:
    with open(catalog_path) as f:
        catalog = pd.DataFrame(json.load(f))
    catalog = catalog[["code", "direction", "field", "perCapita"]].rename(columns={"code": "kpi"})
    cells = pd.read_csv(cells_path, dtype={"city": str, "kpi": str, "period": str, "value": float})
    if "scaled" not in cells.columns:
        cells["scaled"] = False
    cells = cells[cells["value"].notna()]

    pop = cells[(cells["kpi"] == "POP.TOTAL") & (cells["value"] > 0)][["city", "period", "value"]]
    pop = pop.rename(columns={"value": "pop", "period": "pop_period"})
    data = cells[cells["kpi"] != "POP.TOTAL"].copy()

    # Period rule: most common granularity, then the latest period reported by >= ceil(N/2) cities.
    data["g"] = granularity(data["period"])
    n_cities = data.groupby("kpi")["city"].nunique().rename("n")
    g_counts = data.groupby(["kpi", "g"]).size().rename("count").reset_index()
    g_counts = g_counts.sort_values(["kpi", "count", "g"], ascending=[True, False, True])
    chosen_g = g_counts.drop_duplicates("kpi")[["kpi", "g"]]
    per_period = data.groupby(["kpi", "g", "period"])["city"].nunique().rename("c").reset_index()
    per_period = per_period.merge(chosen_g, on=["kpi", "g"]).merge(n_cities, on="kpi")
    per_period = per_period[per_period["c"] >= (per_period["n"] + 1) // 2]
    chosen = per_period.groupby("kpi")["period"].max().rename("chosen").reset_index()
    data = data.merge(chosen, on="kpi")
    data = data[data["period"] == data["chosen"]]

    # Per-capita: population of the same period, else of the same year.
    data = data.merge(catalog, on="kpi")
    data["year"] = data["period"].str[:4]
    data = data.merge(pop.rename(columns={"pop_period": "period"}), on=["city", "period"], how="left")
    data = data.merge(pop.rename(columns={"pop_period": "year", "pop": "pop_year"}), on=["city", "year"], how="left")
    data["pop"] = data["pop"].fillna(data["pop_year"])
    per_capita = data["perCapita"].notna() & ~data["scaled"].astype(bool)
    data["x"] = data["value"]
    data.loc[per_capita, "x"] = data.loc[per_capita, "value"] / data.loc[per_capita, "pop"] * data.loc[per_capita, "perCapita"]
    data = data[data["x"].notna()]

    # Min-max with direction; KPIs need two cities; equal values all score 100.
    grouped = data.groupby("kpi")["x"]
    data["lo"] = grouped.transform("min")
    data["hi"] = grouped.transform("max")
    data["count"] = grouped.transform("size")
    data = data[data["count"] >= 2]
    span = data["hi"] - data["lo"]
    higher = data["direction"] == "higher"
    score = np.where(higher, 100 * (data["x"] - data["lo"]) / span, 100 * (data["hi"] - data["x"]) / span)
    data["score"] = np.where(span == 0, 100.0, score)

    # Field scores: mean over the city's KPIs, if it has at least ceil(2m/3) of the m ranked KPIs.
    m = data.groupby("field")["kpi"].nunique().rename("m")
    fields = data.groupby(["city", "field"])["score"].agg(["sum", "size"]).reset_index().merge(m, on="field")
    fields = fields[fields["size"] >= (2 * fields["m"] + 2) // 3]
    fields["fscore"] = fields["sum"] / fields["size"]

    # Overall: mean of field scores over cities with at least ceil(2f/3) of the f active fields.
    f = fields["field"].nunique()
    overall = fields.groupby("city")["fscore"].agg(["sum", "size"])
    overall = overall[overall["size"] >= (2 * f + 2) // 3]
    return (overall["sum"] / overall["size"]).to_dict()


def main() -> None:
    cells_path, catalog_path, out_path = sys.argv[1:4]
    start = time.perf_counter()
    scores = rank(cells_path, catalog_path)
    seconds = time.perf_counter() - start
    with open(out_path, "w") as f:
        json.dump({"seconds": seconds, "overall": scores}, f)
    print(f"pandas: {seconds:.3f} s, {len(scores)} cities")


if __name__ == "__main__":
    main()
