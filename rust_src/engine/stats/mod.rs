//! The order-based statistics behind `river_lite.stats` (the moment-based ones are Cython):
//! the streaming P² quantile ([`p2_quantile`]) and the exact rolling quantile
//! ([`rolling_quantile`]): an order-statistic B+-tree ([`order_statistic_tree`]) for values one
//! at a time, sorted blocks ([`sorted_blocks`], sorting with [`float_sort`]) for batches.

pub mod float_sort;
pub mod order_statistic_tree;
pub mod p2_quantile;
pub mod rolling_quantile;
pub mod sorted_blocks;
