data "posit_connect_user" "alice" {
  username = "alice"
}

output "alice_guid" {
  value = data.posit_connect_user.alice.guid
}
