#!/usr/bin/env python3
"""Profiles a Redis's memory for bench/redis-budget.sh: where the bytes are, family by family.

  redis-profile.py snap HOST PORT PREFIX OUT.json   one snapshot: INFO memory, MEMORY STATS' hash
                                                    tables, INFO keyspace, clients, SLOWLOG length,
                                                    and MEMORY USAGE summed per key family under PREFIX
  redis-profile.py report USERS A.json B.json LABEL what grew from A to B per user, family by family,
                                                    and the part of used_memory_dataset in no key (the
                                                    latency histograms, then the rest)

MEMORY USAGE of a key counts its value, its name and its main-dict entry (24 B); used_memory_dataset
counts values and names but not the dict entries (they are in used_memory_overhead, with the
buckets of the main and expires dicts). So "in no key" = Δdataset − (ΔΣ MEMORY USAGE − 24 B × Δkeys).
"""
import json
import re
import subprocess
import sys

FAMILIES = [  # (name, regex on the key after the prefix); first match wins
    ("pool", r"u\{[^}]*\}"),
    ("ledger", r"u\{[^}]*\}:l"),
    ("uploads", r"u\{[^}]*\}:uploads:\d+"),
    ("grants", r"u\{[^}]*\}:(g:.*|gt)"),
    ("index", r"idx\{[^}]*\}:.*"),
    ("outcomes", r"push\{[^}]*\}:o:\d+"),
    ("push", r"(push|pushes|seq|sched|cb|quiet)\{.*"),
    ("msgids", r"mid\{.*"),
    ("rate", r"rate\{.*"),
]
DICT_ENTRY = 24
# Redis 7's latency-tracking (on by default) keeps one HdrHistogram per command name ever run (Lua's
# redis.call included) since start or the last CONFIG RESETSTAT: 24,688 B each (measured on 7.0.15),
# in used_memory_dataset and in no key.
LATENCY_HISTOGRAM = 24688


def cli(host, port, *args, stdin=None):
    return subprocess.run(["redis-cli", "-h", host, "-p", port, *args], input=stdin, capture_output=True, text=True, check=True).stdout


def snap(host, port, prefix, out):
    # the commands this snapshot runs, once before it reads anything: their latency histograms exist
    # from the first snapshot on, so that no delta counts the measure's own
    cli(host, port, stdin="SCAN 0 COUNT 1\nMEMORY USAGE nokey SAMPLES 0\nPTTL nokey\nSLOWLOG LEN\nMEMORY STATS\nINFO latencystats\n")
    info = {}
    for line in cli(host, port, "info").splitlines():
        if ":" in line and not line.startswith("#"):
            k, v = line.split(":", 1)
            info[k] = v.strip()
    stats = cli(host, port, "memory", "stats").split("\n")
    ht = {}
    for i, line in enumerate(stats):
        if line in ("overhead.hashtable.main", "overhead.hashtable.expires"):
            ht[line] = int(stats[i + 1])
    m = re.match(r"keys=(\d+),expires=(\d+)", info.get("db0", "keys=0,expires=0"))
    keys = cli(host, port, "--scan", "--pattern", prefix + "*").split()
    fam = {name: {"keys": 0, "bytes": 0, "ttl": 0} for name, _ in FAMILIES}
    fam["other"] = {"keys": 0, "bytes": 0, "ttl": 0}
    compiled = [(name, re.compile(rx)) for name, rx in FAMILIES]
    for start in range(0, len(keys), 50000):
        chunk = keys[start:start + 50000]
        script = "".join(f"MEMORY USAGE {k} SAMPLES 0\nPTTL {k}\n" for k in chunk)
        replies = cli(host, port, stdin=script).split("\n")  # a key gone meanwhile answers an empty line (nil), then -2
        for j, k in enumerate(chunk):
            rest = k[len(prefix):]
            name = next((n for n, rx in compiled if rx.fullmatch(rest)), "other")
            fam[name]["keys"] += 1
            fam[name]["bytes"] += int(replies[2 * j] or 0)
            fam[name]["ttl"] += 1 if int(replies[2 * j + 1] or -2) >= 0 else 0
    snapshot = {
        "used_memory": int(info["used_memory"]),
        "dataset": int(info["used_memory_dataset"]),
        "overhead": int(info["used_memory_overhead"]),
        "ht_main": ht.get("overhead.hashtable.main", 0),
        "ht_expires": ht.get("overhead.hashtable.expires", 0),
        "db_keys": int(m.group(1)) if m else 0,
        "db_expires": int(m.group(2)) if m else 0,
        "clients": int(info["connected_clients"]),
        "mem_clients_normal": int(info["mem_clients_normal"]),
        "aof_buffer": int(info.get("mem_aof_buffer", 0)),
        "scripts": int(info.get("used_memory_scripts", 0)),
        "slowlog": int(cli(host, port, "slowlog", "len").strip() or 0),
        "latency_histograms": sum(1 for line in cli(host, port, "info", "latencystats").splitlines() if line.startswith("latency_percentiles_usec_")),
        "families": fam,
    }
    json.dump(snapshot, open(out, "w"))


def report(users, a_path, b_path, label):
    a, b = json.load(open(a_path)), json.load(open(b_path))
    d = lambda k: b[k] - a[k]
    per = lambda x: x / users
    print(f"PROFILE {label}: used_memory {per(d('used_memory')):+.1f} B/user = dataset {per(d('dataset')):+.1f}"
          f" + overhead {per(d('overhead')):+.1f} (main dict {per(d('ht_main')):+.1f}, expires dict {per(d('ht_expires')):+.1f},"
          f" clients {per(d('mem_clients_normal')):+.1f}, AOF buffer {per(d('aof_buffer')):+.1f}, scripts {per(d('scripts')):+.1f});"
          f" keys {d('db_keys'):+d}, with a TTL {d('db_expires'):+d}; connected clients {a['clients']} -> {b['clients']};"
          f" slowlog entries {a['slowlog']} -> {b['slowlog']}")
    in_keys = 0
    for name in b["families"]:
        fa, fb = a["families"].get(name, {"keys": 0, "bytes": 0, "ttl": 0}), b["families"][name]
        dk, db = fb["keys"] - fa["keys"], fb["bytes"] - fa["bytes"]
        in_keys += db - DICT_ENTRY * dk
        if dk or db:
            avg = fb["bytes"] / fb["keys"] if fb["keys"] else 0
            print(f"PROFILE {label}:   {name:9s} {per(db):+8.1f} B/user by MEMORY USAGE ({dk:+d} keys, now {fb['keys']}"
                  f" of {avg:.0f} B on average, {fb['ttl']} with a TTL)")
    hist = b.get("latency_histograms", 0) - a.get("latency_histograms", 0)
    print(f"PROFILE {label}:   latency histograms {per(hist * LATENCY_HISTOGRAM):+8.1f} B/user ({hist:+d} command names tracked by"
          f" latency-tracking, {LATENCY_HISTOGRAM} B each: in no key)")
    print(f"PROFILE {label}:   in no key, the rest {per(d('dataset') - in_keys - hist * LATENCY_HISTOGRAM):+8.1f} B/user (Δdataset less ΔΣ MEMORY USAGE"
          f" less 24 B of dict entry per key, less the histograms: client structs, the slowlog's entries)")


if __name__ == "__main__":
    if sys.argv[1] == "snap":
        snap(*sys.argv[2:6])
    else:
        report(int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5])
