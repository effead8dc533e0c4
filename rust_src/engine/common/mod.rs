//! What the modules share: the versioned binary state every native class pickles with
//! ([`state`]). Nothing here knows any module.

pub mod state;
