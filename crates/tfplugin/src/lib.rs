//! A framework for Terraform providers in Rust: everything about being a Terraform (and OpenTofu)
//! plugin speaking protocol 6, nothing about the API a provider manages.
//!
//! # The parts
//!
//! - [`run`]: the whole process, for a provider's `main`.
//! - [`handshake`]: how Terraform starts a plugin (go-plugin's magic cookie and handshake line),
//!   where it listens (a unix socket, or TCP on 127.0.0.1 as on Windows), go-plugin's automatic
//!   mutual TLS and its side services (`GRPCController`, `GRPCStdio`), and serving until
//!   Terraform shuts the plugin down.
//! - [`server`]: the `tfplugin6.Provider` gRPC service, in two parts. `server.rs` is a thin
//!   adapter: it decodes every value with the schema's type (handing sensitive strings to
//!   [`resource::Provider::sensitive_value`]), calls the framework and encodes the answer
//!   (client capabilities, diagnostics through [`resource::Provider::scrub`]).
//!   `server/framework.rs` takes and returns [`value::Value`]s and the [`resource`] types, free
//!   of protobuf so its unit tests reach it directly; it holds the rules that hold for every
//!   provider, enforced once: dispatch by type name (an unknown one is a clear error), the
//!   planning sequence below, apply as create, update or delete, write-only values never
//!   stored, an identity only when wholly known, import, read, list and generated
//!   configuration.
//! - [`resource`]: the contract a provider implements: [`resource::Provider`],
//!   [`resource::Resource`] and [`resource::DataSource`], each operation a request and a response
//!   carrying its diagnostics.
//! - [`action`]: the contract of a provider-defined action (Terraform 1.14+):
//!   [`action::Action`], served by [`resource::Provider::actions`].
//! - [`generate`]: the configuration `terraform plan -generate-config-out` and `terraform query
//!   -generate-config-out` write for an existing object (GenerateResourceConfig, Terraform
//!   1.14+): the framework's generic one, refined by
//!   [`resource::Resource::generate_config`].
//! - [`schema`], [`validators`], [`plan_modifiers`] and [`plan`]: attributes with their
//!   defaults, plan modifiers and validators, and the generic planning driven by them.
//! - [`model`](mod@model): a resource's state as a Rust struct of [`model::Attr`] fields (null, unknown or
//!   known), converted to and from [`value::Value`] in one place.
//! - [`value`] and [`codec`]: Terraform's values (cty) and their msgpack and JSON encodings;
//!   [`diag`] for diagnostics and the paths they point at; [`proto`] for the generated protobuf
//!   types (which [`server`] speaks, and a provider's tests may call it with).
//! - [`testing`]: plan as Terraform core and the framework would, in a resource's unit tests
//!   ([`testing::plan`] runs the framework's own planning sequence).
//!
//! # One plan, through the framework
//!
//! For `PlanResourceChange`, [`server`] decodes the prior state, the configuration and core's
//! proposed new state, and its planning sequence (the function [`testing::plan`] calls too) nulls
//! write-only values in the proposal, then:
//!
//! 1. applies the schema's defaults, then each attribute's plan modifiers
//!    ([`plan_modifiers::PlanModifier::modify`]);
//! 2. calls the resource's [`resource::Resource::modify_plan`] with what configure produced (for
//!    what only the resource knows: values derived from other attributes, rules of the remote
//!    system, checks against the server);
//! 3. plans computed values unknown wherever the object changes, except those marked
//!    [`UseStateForUnknown`](plan_modifiers::UseStateForUnknown) and those a modifier plans
//!    itself ([`plans_value`](plan_modifiers::PlanModifier::plans_value)), and adds the attributes that
//!    change where a modifier such as [`RequiresReplace`](plan_modifiers::RequiresReplace)
//!    says so;
//! 4. when the plan destroys or replaces an existing object and has no errors, calls the
//!    resource's [`resource::Resource::check_removal`] (for what the removal would break
//!    elsewhere: a warning, or an error that stops the plan).
//!
//! The planned state leaves with write-only values null, and with the identity of the object it
//! names only once that identity is wholly known.
//!
//! `ApplyResourceChange` becomes [`resource::Resource::create`], `update` or `delete`, each
//! starting from the response that records nothing that did not happen (no state after a failed
//! create, the prior state after a failed update or delete); a create that reports success
//! without a state is an error, as the object would otherwise be lost.
//!
//! # Generated configuration
//!
//! Terraform 1.14 and later ask a provider whose capabilities say so (this framework's do) for
//! the configuration `-generate-config-out` writes, as a value of the resource's type; core then
//! writes it as HCL, leaving out read-only attributes and computed ones left null, and writing
//! every other attribute, `= null` when null (`null # sensitive` for a sensitive one), so only
//! computed attributes can be left out of the file. The framework starts from the state with
//! read-only and write-only values null and values equal to their schema default null (the
//! plan gives them anyway), hands it to [`resource::Resource::generate_config`], and nulls
//! read-only and write-only values again in what the resource returns. Warnings the resource
//! adds (a secret the user must supply) are shown with the generated file. Older cores and
//! OpenTofu never ask: they filter the state themselves.
//!
//! # Actions
//!
//! An `action` block (Terraform 1.14 and later) does something once, after a resource's create
//! or update (`lifecycle { action_trigger { ... } }`) or by hand (`terraform apply
//! -invoke=action.<type>.<name>`), and never touches state. For each, core calls
//! `ValidateActionConfig` (the schema's validators, then [`action::Action::validate`]),
//! `PlanAction` ([`action::Action::plan`], with unknown values wherever the configuration names
//! what the apply has yet to create, and with what configure produced when there is any), then
//! `InvokeAction`: [`action::Action::invoke`] runs in a task of its own, each message it hands
//! its [`action::Progress`] is streamed to core as it is reported, and the stream ends with one
//! completion carrying its diagnostics (both through [`resource::Provider::scrub`]). The
//! framework invokes nothing before a successful configure or with a value still unknown. Core
//! before 1.14 and OpenTofu never ask for actions: serving them changes nothing for them.
//!
//! # Writing a provider
//!
//! Implement [`resource::Provider`] (its `Data` is what `configure` builds, typically an API
//! client; the framework hands it to every operation that needs it, and answers with the reason
//! configure gave when there is none), a [`resource::Resource`] per resource type, and serve it
//! from `main` with [`run::run`]:
//!
//! ```ignore
//! const PLUGIN: Plugin = Plugin {
//!     name: "example",
//!     source: "example-org/example",
//!     address: "registry.terraform.io/example-org/example",
//!     transport_env: "EXAMPLE_PROVIDER_TRANSPORT",
//! };
//!
//! fn main() -> std::process::ExitCode {
//!     tfplugin::run::run(PLUGIN, init_logging, ExampleProvider::new)
//! }
//! ```

pub mod action;
pub mod codec;
mod controller;
pub mod diag;
pub mod generate;
pub mod handshake;
pub mod model;
pub mod plan;
pub mod plan_modifiers;
pub mod proto;
pub mod resource;
pub mod run;
pub mod schema;
mod sensitive;
pub mod server;
pub mod suggest;
#[cfg(test)]
mod test_client;
pub mod testing;
mod tls;
mod transport;
pub mod validators;
pub mod value;
mod wire;
