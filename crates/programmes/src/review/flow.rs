//! A small min-cost flow: primal-dual (successive shortest paths with
//! Johnson potentials), augmenting a blocking flow over the zero-reduced-cost
//! arcs after each Dijkstra, so one shortest-path search serves every path of
//! the same length. Integer capacities and non-negative integer costs.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

#[derive(Debug, Clone)]
struct Arc {
    to: usize,
    rev: usize,
    cap: i64,
    cost: i64,
}

#[derive(Debug, Clone)]
pub struct MinCostFlow {
    graph: Vec<Vec<Arc>>,
    /// Shortest-path searches the last run made (one per distinct path length).
    pub searches: usize,
}

/// Where an arc added by [`MinCostFlow::add`] lives, to read its flow after.
#[derive(Debug, Clone, Copy)]
pub struct ArcId {
    from: usize,
    index: usize,
}

impl MinCostFlow {
    pub fn new(nodes: usize) -> MinCostFlow {
        MinCostFlow { graph: vec![Vec::new(); nodes], searches: 0 }
    }

    /// Adds an arc; costs must be non-negative.
    pub fn add(&mut self, from: usize, to: usize, cap: i64, cost: i64) -> ArcId {
        debug_assert!(cost >= 0);
        let index = self.graph[from].len();
        let rev = self.graph[to].len() + usize::from(from == to);
        self.graph[from].push(Arc { to, rev, cap, cost });
        self.graph[to].push(Arc { to: from, rev: index, cap: 0, cost: -cost });
        ArcId { from, index }
    }

    /// The flow on an arc (its reverse arc's residual capacity).
    pub fn flow(&self, id: ArcId) -> i64 {
        let a = &self.graph[id.from][id.index];
        self.graph[a.to][a.rev].cap
    }

    /// Sends as much flow as possible, up to `limit`, from `s` to `t` at least
    /// cost; returns (flow, cost).
    pub fn run(&mut self, s: usize, t: usize, limit: i64) -> (i64, i64) {
        let n = self.graph.len();
        let mut pot = vec![0i64; n];
        let (mut flow, mut cost) = (0i64, 0i64);
        let mut dist = vec![i64::MAX; n];
        let mut level = vec![u32::MAX; n];
        let mut next = vec![0usize; n];
        self.searches = 0;
        while flow < limit {
            self.searches += 1;
            // Dijkstra on reduced costs.
            dist.iter_mut().for_each(|d| *d = i64::MAX);
            dist[s] = 0;
            let mut heap = BinaryHeap::new();
            heap.push(Reverse((0i64, s)));
            while let Some(Reverse((d, u))) = heap.pop() {
                if d > dist[u] {
                    continue;
                }
                // Every node left is at least as far as t: min(dist, dist[t]) below is exact.
                if u == t {
                    break;
                }
                for a in &self.graph[u] {
                    if a.cap > 0 {
                        let nd = d + a.cost + pot[u] - pot[a.to];
                        if nd < dist[a.to] {
                            dist[a.to] = nd;
                            heap.push(Reverse((nd, a.to)));
                        }
                    }
                }
            }
            if dist[t] == i64::MAX {
                break;
            }
            let dt = dist[t];
            for v in 0..n {
                pot[v] += dist[v].min(dt);
            }
            // Blocking flows over the admissible (zero reduced cost) arcs.
            loop {
                if !self.levels(s, t, &pot, &mut level) {
                    break;
                }
                next.iter_mut().for_each(|x| *x = 0);
                let mut pushed_any = false;
                while flow < limit {
                    let f = self.push(s, t, limit - flow, &pot, &level, &mut next);
                    if f == 0 {
                        break;
                    }
                    pushed_any = true;
                    flow += f;
                    cost += f * (pot[t] - pot[s]);
                }
                if !pushed_any || flow >= limit {
                    break;
                }
            }
        }
        (flow, cost)
    }

    fn admissible(&self, u: usize, a: &Arc, pot: &[i64]) -> bool {
        a.cap > 0 && a.cost + pot[u] - pot[a.to] == 0
    }

    fn levels(&self, s: usize, t: usize, pot: &[i64], level: &mut [u32]) -> bool {
        level.iter_mut().for_each(|l| *l = u32::MAX);
        level[s] = 0;
        let mut queue = std::collections::VecDeque::from([s]);
        while let Some(u) = queue.pop_front() {
            for a in &self.graph[u] {
                if level[a.to] == u32::MAX && self.admissible(u, a, pot) {
                    level[a.to] = level[u] + 1;
                    queue.push_back(a.to);
                }
            }
        }
        level[t] != u32::MAX
    }

    fn push(&mut self, u: usize, t: usize, want: i64, pot: &[i64], level: &[u32], next: &mut [usize]) -> i64 {
        if u == t {
            return want;
        }
        while next[u] < self.graph[u].len() {
            let i = next[u];
            let a = self.graph[u][i].clone();
            if level[a.to] == level[u].wrapping_add(1) && self.admissible(u, &a, pot) {
                let f = self.push(a.to, t, want.min(a.cap), pot, level, next);
                if f > 0 {
                    self.graph[u][i].cap -= f;
                    self.graph[a.to][a.rev].cap += f;
                    return f;
                }
            }
            next[u] += 1;
        }
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_cheaper_paths() {
        // s=0, a=1, b=2, t=3
        let mut g = MinCostFlow::new(4);
        g.add(0, 1, 2, 0);
        g.add(0, 2, 1, 0);
        let ab = g.add(1, 2, 1, 1);
        g.add(1, 3, 1, 5);
        g.add(2, 3, 2, 1);
        assert_eq!(g.run(0, 3, 10), (3, 1 + 2 + 5));
        assert_eq!(g.flow(ab), 1);
    }

    #[test]
    fn reroutes_through_reverse_arcs() {
        // The greedy first path must be undone to reach flow 2.
        let mut g = MinCostFlow::new(4);
        g.add(0, 1, 1, 0);
        g.add(0, 2, 1, 0);
        g.add(1, 3, 1, 0);
        g.add(1, 2, 1, 0);
        g.add(2, 3, 1, 10);
        let (f, c) = g.run(0, 3, 5);
        assert_eq!((f, c), (2, 10));
    }
}
