//! Everything that can stop a classifier call, with messages meant for the user.

use std::fmt;

#[derive(Clone, Debug, PartialEq)]
pub enum ClassifierError {
    /// A bad argument or hyperparameter: the message says what was wrong and what is allowed.
    InvalidArgument(String),
    /// A non-finite feature value, at this row and column.
    NotFinite { row: usize, column: usize },
    /// Training diverged: a weight or the loss left the floating-point range.
    Diverged(String),
}

impl fmt::Display for ClassifierError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidArgument(message) => f.write_str(message),
            Self::NotFinite { row, column } => write!(
                f,
                "Input X contains NaN or infinity (first at row {row}, column {column}); \
                 remove or impute non-finite values"
            ),
            Self::Diverged(message) => write!(
                f,
                "training diverged ({message}); try a smaller learning rate, a larger alpha \
                 or standardize=True"
            ),
        }
    }
}

impl std::error::Error for ClassifierError {}

pub(crate) fn invalid(message: impl Into<String>) -> ClassifierError {
    ClassifierError::InvalidArgument(message.into())
}
