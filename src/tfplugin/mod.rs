//! Everything about being a Terraform plugin (protocol 6), nothing about Connect.

pub mod codec;
pub mod value;
