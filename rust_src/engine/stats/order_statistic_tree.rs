//! A multiset of floats with O(log n) insert, remove and k-th smallest: a B+-tree whose inner
//! nodes count the values below each child.
//!
//! Why this structure: a rolling quantile over a window of w values needs, per update, one
//! insertion, one deletion of an arbitrary value and one or two rank queries. A sorted array
//! (River, watermill) pays an O(w) shift for the first two. A Fenwick tree over value ranks is
//! O(log w) but needs every value in advance. Balanced binary trees and skip lists are O(log w)
//! but chase one pointer per level, which is a cache miss per level at w = 10^6. A B+-tree with
//! wide nodes keeps the O(log w) bound with a height of 3 to 4 at w = 10^6, and does its work in
//! short contiguous arrays. Equal values are interchangeable, so duplicates need no tie-breaker:
//! removing "a 3.0" removes any 3.0.
//!
//! Values must not be NaN (the callers reject NaN before it gets here).

/// Leaves hold at most this many values; a full leaf splits in two. (128 measured fastest
/// for a window of 10^6: 256 doubles the memmove per update; 64 adds a level, and with the
/// counting search below it was still 1.3x slower.)
const LEAF_CAPACITY: usize = 128;
/// Inner nodes hold at most this many children.
const INNER_CAPACITY: usize = 64;

#[derive(Clone, Debug)]
enum Node {
    /// Sorted values.
    Leaf(Vec<f64>),
    Inner(Inner),
}

#[derive(Clone, Debug)]
struct Inner {
    children: Vec<Node>,
    /// `counts[i]` is the number of values stored under `children[i]`.
    counts: Vec<usize>,
    /// Routing keys: every value under `children[i]` lies in `[lows[i], lows[i + 1]]`.
    /// `lows[0]` is never used for routing (the first child takes everything below `lows[1]`).
    lows: Vec<f64>,
}

impl Node {
    fn width(&self) -> usize {
        match self {
            Node::Leaf(values) => values.len(),
            Node::Inner(inner) => inner.children.len(),
        }
    }

    fn capacity(&self) -> usize {
        match self {
            Node::Leaf(_) => LEAF_CAPACITY,
            Node::Inner(_) => INNER_CAPACITY,
        }
    }

    fn smallest(&self) -> f64 {
        match self {
            Node::Leaf(values) => values.first().copied().unwrap_or(f64::NEG_INFINITY),
            Node::Inner(inner) => inner.lows[0],
        }
    }

    /// Inserts `x`; returns the new right sibling when the node had to split.
    fn insert(&mut self, x: f64) -> Option<Node> {
        match self {
            Node::Leaf(values) => {
                let at = count_at_most(values, x);
                values.insert(at, x);
            }
            Node::Inner(inner) => {
                let i = inner.route_insert(x);
                inner.counts[i] += 1;
                if let Some(sibling) = inner.children[i].insert(x) {
                    inner.counts[i] -= sibling.len();
                    inner.lows.insert(i + 1, sibling.smallest());
                    inner.counts.insert(i + 1, sibling.len());
                    inner.children.insert(i + 1, sibling);
                }
            }
        }
        (self.width() > self.capacity()).then(|| self.split_off_half())
    }

    /// Removes one value equal to `x`; returns whether one was found.
    fn remove(&mut self, x: f64) -> bool {
        match self {
            Node::Leaf(values) => {
                let at = count_below(values, x);
                let found = values.get(at) == Some(&x);
                if found {
                    values.remove(at);
                }
                found
            }
            Node::Inner(inner) => inner.remove(x),
        }
    }

    fn len(&self) -> usize {
        match self {
            Node::Leaf(values) => values.len(),
            Node::Inner(inner) => inner.counts.iter().sum(),
        }
    }

    /// Moves the upper half of this node into a new sibling.
    fn split_off_half(&mut self) -> Node {
        let half = self.width() / 2;
        match self {
            Node::Leaf(values) => Node::Leaf(values.split_off(half)),
            Node::Inner(inner) => Node::Inner(Inner {
                children: inner.children.split_off(half),
                counts: inner.counts.split_off(half),
                lows: inner.lows.split_off(half),
            }),
        }
    }

    /// Appends all of `right` (whose values are all >= ours) to this node.
    #[allow(clippy::unreachable)] // proven unreachable below
    fn absorb(&mut self, right: Node) {
        match (self, right) {
            (Node::Leaf(values), Node::Leaf(more)) => values.extend(more),
            (Node::Inner(inner), Node::Inner(more)) => {
                inner.children.extend(more.children);
                inner.counts.extend(more.counts);
                inner.lows.extend(more.lows);
            }
            // Unreachable whatever the input: absorb is only called on two siblings, and
            // siblings always have the same height, because the tree grows (a root split) and
            // shrinks (a one-child root collapse) only at the root. Values from users never
            // choose the branch; the proptest against a sorted Vec exercises every merge.
            _ => unreachable!("siblings of different heights"),
        }
    }

    fn kth(&self, mut k: usize) -> Option<f64> {
        let mut node = self;
        loop {
            match node {
                Node::Leaf(values) => return values.get(k).copied(),
                Node::Inner(inner) => {
                    let mut i = 0;
                    while i < inner.counts.len() && k >= inner.counts[i] {
                        k -= inner.counts[i];
                        i += 1;
                    }
                    node = inner.children.get(i)?;
                }
            }
        }
    }
}

impl Inner {
    /// The child a new `x` goes to: the last one whose low bound is <= x.
    fn route_insert(&self, x: f64) -> usize {
        count_at_most(&self.lows[1..], x)
    }

    fn remove(&mut self, x: f64) -> bool {
        // Equal values may straddle children, so try every child whose range contains x.
        let first = count_below(&self.lows[1..], x);
        let mut i = first;
        while i < self.children.len() && (i == first || self.lows[i] <= x) {
            if self.children[i].remove(x) {
                self.counts[i] -= 1;
                self.rebalance(i);
                return true;
            }
            i += 1;
        }
        false
    }

    /// Keeps child `i` at least a quarter full by merging it with a neighbour, splitting the
    /// merged node again when it is too wide.
    fn rebalance(&mut self, i: usize) {
        let child = &self.children[i];
        if self.children.len() < 2 || child.width() >= child.capacity() / 4 {
            return;
        }
        let left = if i + 1 < self.children.len() {
            i
        } else {
            i - 1
        };
        let right_node = self.children.remove(left + 1);
        let right_count = self.counts.remove(left + 1);
        self.lows.remove(left + 1);
        self.children[left].absorb(right_node);
        self.counts[left] += right_count;
        let merged = &mut self.children[left];
        if merged.width() > merged.capacity() {
            let sibling = merged.split_off_half();
            let moved = sibling.len();
            self.counts[left] -= moved;
            self.lows.insert(left + 1, sibling.smallest());
            self.counts.insert(left + 1, moved);
            self.children.insert(left + 1, sibling);
        }
    }
}

/// How many of the sorted `values` are <= x: the position where a binary search would insert
/// x after its equals. Counted over the whole slice instead: a leaf at w = 10^6 is usually not
/// in cache, and a binary search waits for one cache miss per probe, each address depending
/// on the last (68 % of `insert` was that wait, measured), while the count reads all the
/// slice's lines at once, as the insertion's shift does anyway. Branch-free; it vectorises.
#[inline]
fn count_at_most(values: &[f64], x: f64) -> usize {
    values.iter().map(|&v| usize::from(v <= x)).sum()
}

/// How many of the sorted `values` are < x (see [`count_at_most`]).
#[inline]
fn count_below(values: &[f64], x: f64) -> usize {
    values.iter().map(|&v| usize::from(v < x)).sum()
}

/// `0..n` cut into the fewest ranges of at most `target` items, of sizes differing by at most
/// one (one empty range when `n` is 0).
fn even_chunks(n: usize, target: usize) -> impl Iterator<Item = std::ops::Range<usize>> {
    let parts = n.div_ceil(target).max(1);
    (0..parts).map(move |i| i * n / parts..(i + 1) * n / parts)
}

/// A sorted multiset of non-NaN floats.
#[derive(Clone, Debug)]
pub struct OrderStatisticTree {
    root: Node,
    len: usize,
}

impl Default for OrderStatisticTree {
    fn default() -> Self {
        Self::new()
    }
}

impl OrderStatisticTree {
    pub fn new() -> Self {
        Self {
            root: Node::Leaf(Vec::new()),
            len: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Adds `x` (not NaN). O(log n).
    pub fn insert(&mut self, x: f64) {
        debug_assert!(!x.is_nan());
        if let Some(sibling) = self.root.insert(x) {
            let left = std::mem::replace(&mut self.root, Node::Leaf(Vec::new()));
            let (left_len, right_len) = (left.len(), sibling.len());
            self.root = Node::Inner(Inner {
                lows: vec![left.smallest(), sibling.smallest()],
                counts: vec![left_len, right_len],
                children: vec![left, sibling],
            });
        }
        self.len += 1;
    }

    /// A tree holding `sorted` (ascending, no NaN), built bottom-up in O(n): nodes are filled
    /// to 3/4 of their capacity, so that neither the next insertions split them nor the next
    /// removals merge them.
    pub fn from_sorted(sorted: &[f64]) -> Self {
        debug_assert!(sorted.windows(2).all(|pair| pair[0] <= pair[1]));
        let mut level: Vec<Node> = even_chunks(sorted.len(), LEAF_CAPACITY * 3 / 4)
            .map(|range| {
                let mut values = Vec::with_capacity(LEAF_CAPACITY + 1);
                values.extend_from_slice(&sorted[range]);
                Node::Leaf(values)
            })
            .collect();
        while level.len() > 1 {
            let mut children = level.into_iter();
            level = even_chunks(children.len(), INNER_CAPACITY * 3 / 4)
                .map(|range| {
                    let children: Vec<Node> = children.by_ref().take(range.len()).collect();
                    Node::Inner(Inner {
                        counts: children.iter().map(Node::len).collect(),
                        lows: children.iter().map(Node::smallest).collect(),
                        children,
                    })
                })
                .collect();
        }
        Self {
            root: level.pop().unwrap_or(Node::Leaf(Vec::new())),
            len: sorted.len(),
        }
    }

    /// Removes one value equal to `x`. Returns false (and changes nothing) if there is none.
    /// O(log n).
    pub fn remove(&mut self, x: f64) -> bool {
        let found = self.root.remove(x);
        if found {
            self.len -= 1;
            // Shrink the tree at the root so that every leaf stays at the same depth.
            while let Node::Inner(inner) = &mut self.root {
                if inner.children.len() != 1 {
                    break;
                }
                self.root = inner.children.pop().unwrap_or(Node::Leaf(Vec::new()));
            }
        }
        found
    }

    /// The k-th smallest value (0-based), or `None` when `k >= len`. O(log n).
    pub fn kth(&self, k: usize) -> Option<f64> {
        if k >= self.len {
            return None;
        }
        self.root.kth(k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn check_against_sorted(tree: &OrderStatisticTree, reference: &[f64]) {
        assert_eq!(tree.len(), reference.len());
        for (k, &expected) in reference.iter().enumerate() {
            assert_eq!(tree.kth(k), Some(expected), "k = {k}");
        }
        assert_eq!(tree.kth(reference.len()), None);
    }

    #[test]
    fn grows_and_shrinks_through_several_levels() {
        let mut tree = OrderStatisticTree::new();
        let mut reference = Vec::new();
        // Enough values for a height of three (more than 128 * 64 / 2).
        for i in 0..40_000u64 {
            let x = ((i * 2_654_435_761) % 10_007) as f64;
            tree.insert(x);
            reference.push(x);
        }
        reference.sort_by(f64::total_cmp);
        check_against_sorted(&tree, &reference);
        for i in 0..39_990u64 {
            let x = ((i * 2_654_435_761) % 10_007) as f64;
            assert!(tree.remove(x));
            let at = reference.partition_point(|&v| v < x);
            reference.remove(at);
        }
        check_against_sorted(&tree, &reference);
    }

    #[test]
    fn removing_a_missing_value_changes_nothing() {
        let mut tree = OrderStatisticTree::new();
        [1.0, 2.0, 2.0, 3.0].iter().for_each(|&x| tree.insert(x));
        assert!(!tree.remove(2.5));
        assert!(tree.remove(2.0));
        check_against_sorted(&tree, &[1.0, 2.0, 3.0]);
    }

    #[test]
    fn a_tree_built_from_sorted_values_equals_one_built_by_insertion() {
        for n in [0usize, 1, 95, 96, 97, 500, 4_700, 40_000, 300_000] {
            let mut values: Vec<f64> = (0..n as u64)
                .map(|i| ((i * 7919) % 10_007) as f64)
                .collect();
            values.sort_by(f64::total_cmp);
            let mut tree = OrderStatisticTree::from_sorted(&values);
            check_against_sorted(&tree, &values);
            // It keeps working as a tree: insertions and removals at both ends and inside.
            for (i, &x) in values.iter().enumerate().step_by(3) {
                assert!(tree.remove(x), "n = {n}, i = {i}");
                tree.insert(x + 0.5);
            }
            let mut reference: Vec<f64> = values
                .iter()
                .enumerate()
                .map(|(i, &x)| if i % 3 == 0 { x + 0.5 } else { x })
                .collect();
            reference.sort_by(f64::total_cmp);
            check_against_sorted(&tree, &reference);
        }
    }

    proptest! {
        #[test]
        fn matches_a_sorted_vec(ops in prop::collection::vec((any::<bool>(), -50i32..50), 0..3000)) {
            let mut tree = OrderStatisticTree::new();
            let mut reference: Vec<f64> = Vec::new();
            for (insert, value) in ops {
                let x = value as f64 / 4.0;
                if insert || reference.is_empty() {
                    tree.insert(x);
                    let at = reference.partition_point(|&v| v <= x);
                    reference.insert(at, x);
                } else {
                    let at = reference.partition_point(|&v| v < x);
                    let present = at < reference.len() && reference[at] == x;
                    prop_assert_eq!(tree.remove(x), present);
                    if present {
                        reference.remove(at);
                    }
                }
            }
            check_against_sorted(&tree, &reference);
        }
    }
}
