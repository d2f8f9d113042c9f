//! Everything about being a Terraform plugin (protocol 6), nothing about Connect.

pub mod codec;
pub mod diag;
pub mod plan;
pub mod schema;
pub mod validators;
pub mod value;
