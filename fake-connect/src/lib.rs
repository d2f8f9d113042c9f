//! A stand-in for Posit Connect's OAuth integrations API.
