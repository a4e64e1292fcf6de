"""The peer of crates/programmes/examples/assignment_bench.rs: the same flow
network (written by `assignment_bench --json PATH`, conflicts excluded) solved
with networkx's min_cost_flow (network simplex). Prints the time and the cost,
which must equal ours."""
import json
import sys
import time

import networkx as nx

started = time.perf_counter()
with open(sys.argv[1]) as f:
    inst = json.load(f)
n, m, k, limit, w = inst["applications"], inst["experts"], inst["k"], inst["limit"], inst["load_weight"]
g = nx.MultiDiGraph()
g.add_node("s", demand=-n * k)
g.add_node("t", demand=n * k)
for i in range(n):
    g.add_edge("s", ("a", i), capacity=k, weight=0)
for i, j, c in inst["pairs"]:
    g.add_edge(("a", i), ("e", j), capacity=1, weight=c)
for j in range(m):
    for step in range(1, limit + 1):
        g.add_edge(("e", j), "t", capacity=1, weight=w * (2 * step - 1))
built = time.perf_counter()
flow = nx.min_cost_flow(g)
# cost_of_flow does not read a multigraph's flow (keyed by arc): summed here.
cost = sum(flow[u][v][key] * d["weight"] for u, v, key, d in g.edges(keys=True, data=True))
done = time.perf_counter()
print(f"networkx min_cost_flow: build {built - started:.1f} s, solve {done - built:.1f} s, cost {cost} (ours {inst['cost']})")
sys.exit(0 if cost == inst["cost"] else 1)
