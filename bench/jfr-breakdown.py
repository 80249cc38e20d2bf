#!/usr/bin/env python3
"""Where a JFR recording's CPU went (bench/profile.sh, BENCHMARKS.md §11): from `jfr print --json` of
jdk.CPUTimeSample (CPU-time sampling, JDK 25: user and kernel time, every thread) or, when a
recording has none, jdk.ExecutionSample. Prints the share of samples whose stack passes through
each library (rows overlap), the top leaf frames, the nearest wxpush frame and the thread.
usage: jfr print --json --stack-depth 64 --events jdk.CPUTimeSample,jdk.ExecutionSample X.jfr | bench/jfr-breakdown.py [top=15] [since]
(since: an ISO-8601 UTC time; samples taken before it are left out)"""
import collections
import json
import sys

TOP = int(sys.argv[1]) if len(sys.argv) > 1 else 15
SINCE = sys.argv[2][:26] if len(sys.argv) > 2 and sys.argv[2] else ''
LIBS = {
    'okhttp3': 'OkHttp', 'okio': 'okio', 'org.apache.kafka': 'Kafka', 'com.fasterxml.jackson': 'Jackson',
    'redis.clients': 'Jedis', 'io.micrometer': 'Micrometer', 'org.eclipse.jetty': 'Jetty', 'io.javalin': 'Javalin',
    'com.nimbusds': 'Nimbus JOSE', 'ch.qos.logback': 'logback', 'sun.nio': 'sun.nio (sockets)',
    'java.lang.VirtualThread': 'virtual threads', 'java.util.concurrent': 'java.util.concurrent',
}

events = json.load(sys.stdin)['recording']['events']
kinds = collections.Counter(e['type'] for e in events)
kind = 'jdk.CPUTimeSample' if kinds['jdk.CPUTimeSample'] else 'jdk.ExecutionSample'
n = 0
incl, leaf, own, thread = (collections.Counter() for _ in range(4))
for e in events:
    if e['type'] != kind or not e['values'].get('stackTrace'):
        continue
    if SINCE and e['values']['startTime'][:26] < SINCE:
        continue
    names = [(f['method']['type']['name'] + '.' + f['method']['name']).replace('/', '.')
             for f in e['values']['stackTrace']['frames']]
    if not names:
        continue
    n += 1
    leaf[names[0]] += 1
    seen = set()
    for name in names:
        for prefix, lib in LIBS.items():
            if name.startswith(prefix) and lib not in seen:
                seen.add(lib)
                incl[lib] += 1
    own[next((x.split('$$Lambda')[0] for x in names if x.startswith('io.wxpush')), '(no wxpush frame)')] += 1
    t = e['values'].get('sampledThread') or e['values'].get('eventThread') or {}
    name = t.get('javaName') or t.get('osName') or '(virtual thread)'
    thread[name.rstrip('0123456789-')] += 1
print(f'{n} {kind} samples' + (f' since {SINCE}' if SINCE else ''))
for title, counter in (('through library (overlapping)', incl), ('leaf frame', leaf),
                       ('nearest wxpush frame', own), ('thread', thread)):
    print(f'-- {title}')
    for name, v in counter.most_common(TOP):
        print(f'{100 * v / n:6.1f}%  {name}')
