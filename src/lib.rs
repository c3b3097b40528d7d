pub use parsimony_core as core;
