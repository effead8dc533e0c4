//! Runs the sampler compiled for the widest vector instructions the CPU has.
//!
//! [`dispatched!`] defines a function whose body is compiled three times, for the baseline
//! and (on x86-64) for AVX2 and AVX-512. The body must be inlined into each copy for the copy
//! to use the wider instructions, which is why the macro makes it an `#[inline(always)]`
//! function and does not take a closure (a closure shared by several callers is compiled
//! once, for the baseline).
//!
//! The hot loops ([`super::batched_gamma`] and the sweep's sums in [`super::chain`]) are plain
//! loops over fixed-size arrays, which the compiler turns into vector instructions. Wheels are
//! built for each platform's baseline (SSE2 on x86-64), so on x86-64 the same code is also
//! compiled for AVX2 and for AVX-512, and the copy to run is chosen at run time. The results do not depend on the
//! choice: the code does the same IEEE 754 operations in the same order on every path (Rust
//! never fuses a multiply and an add on its own). The environment variable
//! `RIVER_LITE_VECTOR_INSTRUCTIONS` (`baseline`, `avx2` or `avx512`, read once) caps the choice,
//! which is how the tests compare the paths bit for bit; other values are ignored.

use std::sync::OnceLock;

/// Instruction sets, from the narrowest.
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum InstructionSet {
    Baseline,
    Avx2,
    Avx512,
}

impl InstructionSet {
    pub fn name(self) -> &'static str {
        match self {
            Self::Baseline => "baseline",
            Self::Avx2 => "avx2",
            Self::Avx512 => "avx512",
        }
    }

    /// The widest this CPU supports.
    pub fn detected() -> Self {
        #[cfg(target_arch = "x86_64")]
        {
            if x86::has_avx512() {
                return Self::Avx512;
            }
            if x86::has_avx2() {
                return Self::Avx2;
            }
        }
        Self::Baseline
    }

    /// The one to use: the detected one, capped by the environment variable.
    pub fn chosen() -> Self {
        static CHOSEN: OnceLock<InstructionSet> = OnceLock::new();
        *CHOSEN.get_or_init(|| {
            let cap = std::env::var("RIVER_LITE_VECTOR_INSTRUCTIONS").ok();
            let cap = [Self::Baseline, Self::Avx2, Self::Avx512]
                .into_iter()
                .find(|set| cap.as_deref() == Some(set.name()));
            Self::detected().min(cap.unwrap_or(Self::Avx512))
        })
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    pub fn has_avx512() -> bool {
        std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512vl")
            && std::arch::is_x86_feature_detected!("avx512dq")
    }

    pub fn has_avx2() -> bool {
        std::arch::is_x86_feature_detected!("avx2")
    }
}

/// `dispatched! { fn name(args) -> T { body } }` defines `fn name(set: InstructionSet, args)
/// -> T`, which runs `body` compiled for `set`, or for the widest instruction set below it that
/// the CPU has.
macro_rules! dispatched {
    ($(#[$meta:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty $body:block) => {
        $(#[$meta])*
        $vis fn $name(
            set: $crate::engine::sampler::vector_dispatch::InstructionSet,
            $($arg: $ty),*
        ) -> $ret {
            #[inline(always)]
            fn body($($arg: $ty),*) -> $ret $body

            #[cfg(target_arch = "x86_64")]
            {
                use $crate::engine::sampler::vector_dispatch::InstructionSet;

                #[target_feature(enable = "avx512f,avx512vl,avx512dq")]
                unsafe fn avx512($($arg: $ty),*) -> $ret {
                    body($($arg),*)
                }

                #[target_feature(enable = "avx2")]
                unsafe fn avx2($($arg: $ty),*) -> $ret {
                    body($($arg),*)
                }

                match set.min(InstructionSet::detected()) {
                    // SAFETY: `detected` is never wider than what the CPU supports.
                    InstructionSet::Avx512 => return unsafe { avx512($($arg),*) },
                    // SAFETY: as above.
                    InstructionSet::Avx2 => return unsafe { avx2($($arg),*) },
                    InstructionSet::Baseline => {}
                }
            }
            let _ = set;
            body($($arg),*)
        }
    };
}

pub(crate) use dispatched;

#[cfg(test)]
/// Every instruction set this CPU has.
pub fn available() -> Vec<InstructionSet> {
    [
        InstructionSet::Baseline,
        InstructionSet::Avx2,
        InstructionSet::Avx512,
    ]
    .into_iter()
    .filter(|&set| set <= InstructionSet::detected())
    .collect()
}
