//! Views of the caller's data: a row-major feature matrix of `f32` or `f64`, read in place,
//! and class labels as indices.

use rayon::prelude::*;

use super::error::{invalid, ClassifierError};

/// An input element type: `f32` or `f64`.
pub trait Element: Copy + Send + Sync + 'static {
    fn to_f64(self) -> f64;
    fn is_finite(self) -> bool;
}

impl Element for f32 {
    #[inline(always)]
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
    #[inline(always)]
    fn is_finite(self) -> bool {
        f32::is_finite(self)
    }
}

impl Element for f64 {
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self
    }
    #[inline(always)]
    fn is_finite(self) -> bool {
        f64::is_finite(self)
    }
}

/// A borrowed, row-major `rows × cols` matrix.
#[derive(Clone, Copy, Debug)]
pub struct Rows<'a, T> {
    data: &'a [T],
    rows: usize,
    cols: usize,
}

impl<'a, T: Element> Rows<'a, T> {
    /// Checks that `data` holds exactly `rows × cols` values.
    pub fn new(data: &'a [T], rows: usize, cols: usize) -> Result<Self, ClassifierError> {
        if rows.checked_mul(cols) != Some(data.len()) {
            return Err(invalid(format!(
                "a {rows} x {cols} matrix needs {} values, got {}",
                rows.saturating_mul(cols),
                data.len()
            )));
        }
        Ok(Self { data, rows, cols })
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Row `i` (`i < rows`).
    #[inline(always)]
    pub fn row(&self, i: usize) -> &'a [T] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }

    /// Asks the CPU to start loading row `i` into the cache (a hint: no effect on results).
    /// Training visits rows in shuffled order, so the hardware prefetcher cannot guess the
    /// next row; without this hint every row costs several memory round trips.
    #[inline(always)]
    pub fn prefetch_row(&self, i: usize) {
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
            let row = self.row(i);
            let bytes = std::mem::size_of_val(row);
            let start = row.as_ptr().cast::<i8>();
            for offset in (0..bytes).step_by(64) {
                // SAFETY: `offset` stays inside the row; a prefetch never faults and changes
                // no memory.
                unsafe { _mm_prefetch::<_MM_HINT_T0>(start.add(offset)) };
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = i;
    }

    /// The rows `start..end`, as a matrix.
    pub fn slice(&self, start: usize, end: usize) -> Rows<'a, T> {
        Rows {
            data: &self.data[start * self.cols..end * self.cols],
            rows: end - start,
            cols: self.cols,
        }
    }

    /// `Err(NotFinite)` naming the first NaN or infinite value, in row-major order.
    pub fn check_finite(&self) -> Result<(), ClassifierError> {
        const CHUNK: usize = 1 << 16;
        let first_bad =
            self.data
                .par_chunks(CHUNK)
                .enumerate()
                .find_map_first(|(chunk, values)| {
                    // A branch-free pass first (it vectorises), the position only on failure.
                    let all_finite = values.iter().fold(true, |ok, v| ok & v.is_finite());
                    if all_finite {
                        None
                    } else {
                        values
                            .iter()
                            .position(|v| !v.is_finite())
                            .map(|i| chunk * CHUNK + i)
                    }
                });
        match first_bad {
            None => Ok(()),
            Some(flat) => Err(ClassifierError::NotFinite {
                row: flat / self.cols.max(1),
                column: flat % self.cols.max(1),
            }),
        }
    }
}

/// Checks that there is one label per row and every label is a class index `< n_classes`.
pub fn check_labels(labels: &[i64], rows: usize, n_classes: usize) -> Result<(), ClassifierError> {
    if labels.len() != rows {
        return Err(invalid(format!(
            "X and y have inconsistent numbers of samples: {rows} rows, {} labels",
            labels.len()
        )));
    }
    if let Some(bad) = labels
        .iter()
        .find(|&&c| c < 0 || c as u64 >= n_classes as u64)
    {
        return Err(invalid(format!(
            "class index {bad} is out of range for {n_classes} classes"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_and_checks() {
        let data = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0];
        let m = Rows::new(&data, 3, 2).unwrap();
        assert_eq!(m.row(1), &[3.0, 4.0]);
        assert_eq!(m.slice(1, 3).row(1), &[5.0, 6.0]);
        assert!(Rows::new(&data, 4, 2).is_err());
        assert!(Rows::new(&data, usize::MAX, 2).is_err());
        assert!(m.check_finite().is_ok());
        let bad = [1.0f64, 2.0, 3.0, f64::NAN];
        assert_eq!(
            Rows::new(&bad, 2, 2).unwrap().check_finite(),
            Err(ClassifierError::NotFinite { row: 1, column: 1 })
        );
        assert!(check_labels(&[0, 1, 2], 3, 3).is_ok());
        assert!(check_labels(&[0, 1, 3], 3, 3).is_err());
        assert!(check_labels(&[0, -1, 1], 3, 3).is_err());
        assert!(check_labels(&[0, 1], 3, 3).is_err());
    }
}
