//! The order-based statistics behind `river_lite.stats` (the moment-based ones are Cython):
//! the streaming P² quantile ([`p2_quantile`]) and the exact rolling quantile
//! ([`rolling_quantile`]) over an order-statistic B+-tree ([`order_statistic_tree`]).

pub mod order_statistic_tree;
pub mod p2_quantile;
pub mod rolling_quantile;
