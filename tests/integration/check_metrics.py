#!/usr/bin/env python3
"""Reads kprod's two metrics documents with parsers kprod did not write.

usage: check_metrics.py PROMETHEUS_FILE JSON_FILE CLIENT_ID TOPIC SENT RETRIED

The Prometheus text (kprod_metrics_prometheus) must parse with
prometheus_client's own parser (Debian's python3-prometheus-client, which
scripts/install-deps installs), every sample must carry client_id, every
"-total" family must be a counter, and the record counts must be SENT and
RETRIED. The JSON document (kprod_metrics_json) must parse with Python's json
and agree with the Prometheus text on every counter. Exits non-zero, saying
why, on any difference.
"""
import json
import math
import os
import sys

try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError:
    # A Python of its own (pyenv, a venv) may come first on PATH; Debian's has the package.
    system_python = "/usr/bin/python3"
    if os.path.exists(system_python) and os.path.realpath(sys.executable) != os.path.realpath(
        system_python
    ):
        os.execv(system_python, [system_python] + sys.argv)
    sys.exit(
        "check_metrics.py: no prometheus_client in " + sys.executable +
        "; scripts/install-deps installs python3-prometheus-client"
    )

PREFIXES = {
    "kprod_producer_topic_": "producer-topic-metrics",
    "kprod_producer_node_": "producer-node-metrics",
    "kprod_producer_": "producer-metrics",
}


def fail(message):
    sys.exit("check_metrics.py: " + message)


def java_name(sample_name):
    """kprod_producer_topic_record_send_total -> (producer-topic-metrics, record-send-total)."""
    for prefix, group in PREFIXES.items():
        if sample_name.startswith(prefix):
            return group, sample_name[len(prefix):].replace("_", "-")
    fail("unexpected metric name " + sample_name)


def main():
    if len(sys.argv) != 7:
        fail("usage: check_metrics.py PROMETHEUS_FILE JSON_FILE CLIENT_ID TOPIC SENT RETRIED")
    prometheus_file, json_file, client_id, topic = sys.argv[1:5]
    sent, retried = float(sys.argv[5]), float(sys.argv[6])
    with open(prometheus_file, encoding="utf-8") as f:
        text = f.read()
    with open(json_file, encoding="utf-8") as f:
        document = json.load(f)

    # Prometheus: every family typed, every sample labelled; counters keyed by Java's names.
    counters = {}
    families = 0
    for family in text_string_to_metric_families(text):
        families += 1
        if not family.documentation:
            fail("family %s has no HELP" % family.name)
        for sample in family.samples:
            if sample.labels.get("client_id") != client_id:
                fail("%s has labels %s" % (sample.name, sample.labels))
            group, name = java_name(sample.name)
            is_total = name.endswith("-total")
            if is_total != (family.type == "counter"):
                fail("%s is a %s" % (sample.name, family.type))
            if group == "producer-topic-metrics" and "topic" not in sample.labels:
                fail("%s has no topic label" % sample.name)
            node = sample.labels.get("node_id", "")
            if group == "producer-node-metrics" and not node.startswith("node-"):
                fail("%s has no node_id label" % sample.name)
            if is_total:
                key = (group, sample.labels.get("topic") or node, name)
                counters[key] = sample.value
    if families < 30:
        fail("only %d families" % families)

    def counter(group, name, label=""):
        key = (group, label, name)
        if key not in counters:
            fail("no counter %s %s %s" % key)
        return counters[key]

    checks = [
        (counter("producer-metrics", "record-send-total"), sent, "record-send-total"),
        (counter("producer-metrics", "record-retry-total"), retried, "record-retry-total"),
        (counter("producer-metrics", "record-error-total"), 0, "record-error-total"),
        (counter("producer-topic-metrics", "record-send-total", topic), sent,
         "record-send-total of " + topic),
    ]
    for actual, expected, what in checks:
        if actual != expected:
            fail("Prometheus %s is %s, expected %s" % (what, actual, expected))

    # JSON: the same counters, by group, topic or broker, and name.
    if document.get("client-id") != client_id:
        fail("JSON client-id is %r" % document.get("client-id"))
    for (group, label, name), value in counters.items():
        scope = document[group][label] if label else document[group]
        json_value = scope.get(name)
        if json_value is None or not math.isclose(json_value, value, rel_tol=1e-12):
            fail("JSON %s %s %s is %r, Prometheus says %r"
                 % (group, label, name, json_value, value))
    print("check_metrics.py: %d Prometheus families parsed; %d counters agree with the JSON "
          "document; record-send-total %g" % (families, len(counters), sent))


main()
