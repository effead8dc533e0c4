//! Everything that can stop a sampler run, with messages meant for the user.

use std::fmt;

#[derive(Clone, Debug, PartialEq)]
pub enum SamplerError {
    /// A bad argument: the message says what was wrong and what is allowed.
    InvalidArgument(String),
    /// The caller's stop flag was raised (Ctrl-C) between two iterations.
    Interrupted,
    /// A chain left the floating-point range (the posterior is improper or too diffuse for
    /// the data and ν, or the data are extreme). `chain` is the index in the seed's streams.
    NotFinite { chain: u64, iteration: usize },
    /// The draws would not fit in memory.
    OutOfMemory { bytes: u128 },
    /// The worker threads could not be started.
    Threads(String),
}

impl fmt::Display for SamplerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidArgument(message) => f.write_str(message),
            Self::Interrupted => f.write_str("the sampler was interrupted"),
            Self::NotFinite { chain, iteration } => write!(
                f,
                "chain {chain} reached a non-finite or zero value at iteration {iteration}: the \
                 posterior is probably improper or too diffuse for these data and this nu (try \
                 more data points, a larger nu, or rescaled data)"
            ),
            Self::OutOfMemory { bytes } => write!(
                f,
                "cannot allocate {bytes} bytes for the draws: ask for fewer chains or a smaller \
                 sample_size"
            ),
            Self::Threads(message) => write!(f, "cannot start the sampler threads: {message}"),
        }
    }
}

impl std::error::Error for SamplerError {}
