"""bench/plot.py SUMMARY_JSON OUT_PNG: the plot of a bench/run (run by it, in bench/.venv).

Three panels, clients side by side in each: throughput per scenario, client CPU per record
per scenario, and the fixed-rate scenario's latency percentiles.
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

CLIENTS = ("kprod", "kprod-sender", "rdkafka", "java")
NAMES = {"kprod": "kprod", "kprod-sender": "kprod, Sender-thread reports",
         "rdkafka": "librdkafka", "java": "Java producer"}
COLORS = {"kprod": "#2a7ab9", "kprod-sender": "#7fb3dc", "rdkafka": "#e08a1e",
          "java": "#6b8e23"}


def bars(axis, scenario_ids, labels, value_of, summary, unit_format):
    by_key = {(e["scenario"], e["client"]): e for e in summary}
    clients = [c for c in CLIENTS if any(e["client"] == c for e in summary)]
    width = 0.8 / max(1, len(clients))
    for index, client in enumerate(clients):
        xs, ys = [], []
        for position, scenario in enumerate(scenario_ids):
            entry = by_key.get((scenario, client))
            if entry is not None and value_of(entry) is not None:
                xs.append(position + (index - (len(clients) - 1) / 2) * width)
                ys.append(value_of(entry))
        drawn = axis.bar(xs, ys, width, label=NAMES[client], color=COLORS[client])
        axis.bar_label(drawn, labels=[unit_format(y) for y in ys], fontsize=7, padding=1)
    axis.set_xticks(range(len(scenario_ids)))
    axis.set_xticklabels(labels, fontsize=8)
    axis.legend(fontsize=8)


def main():
    data = json.load(open(sys.argv[1]))
    summary = data["summary"]
    present = {e["scenario"] for e in summary}
    unlimited = [s for s in data["scenarios"] if s["id"] in present and s["id"] != "s4"]
    ids = [s["id"] for s in unlimited]
    labels = [s["title"].split(",")[0].replace(": ", ":\n", 1) + "\n" + s["id"] for s in unlimited]

    figure, axes = plt.subplots(1, 3, figsize=(16, 5.2))
    bars(axes[0], ids, labels, lambda e: e["records_per_sec"] / 1000, summary,
         lambda y: f"{y:.0f}k")
    axes[0].set_title("Throughput, unlimited rate (median)")
    axes[0].set_ylabel("thousand records/s")

    all_ids = [s["id"] for s in data["scenarios"] if s["id"] in present]
    bars(axes[1], all_ids, all_ids, lambda e: e["cpu_us_per_record"], summary,
         lambda y: f"{y:.2f}")
    axes[1].set_title("Client CPU per record (user+sys, median; log scale)")
    axes[1].set_ylabel("µs per record")
    axes[1].set_yscale("log")

    latency = [e for e in summary if e["scenario"] == "s4"]
    if latency:
        percentiles = ("p50", "p95", "p99", "p999")

        def value(entry, p):
            micros = entry.get(f"{p}_us")
            return micros / 1000 if micros is not None else entry[f"{p}_ms"]

        rows = [{"scenario": p, "client": e["client"], "v": value(e, p)}
                for e in latency for p in percentiles]
        bars(axes[2], list(percentiles), ["p50", "p95", "p99", "p99.9"], lambda e: e["v"], rows,
             lambda y: f"{y:.1f}")
        axes[2].set_title("Latency at 20,000 records/s, acks=all (median)")
        axes[2].set_ylabel("ms (Java: whole ms)")
    else:
        axes[2].set_axis_off()
    figure.suptitle("kprod vs librdkafka vs the Java producer, one local broker, "
                    + data["info"]["machine"].split(";")[0], fontsize=10)
    figure.tight_layout()
    figure.savefig(sys.argv[2], dpi=110)


if __name__ == "__main__":
    main()
