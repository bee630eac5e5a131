// Command cairn is Cairn's one binary:
//
//	cairn server   run a node (flags and CAIRN_* environment, see -h)
//	cairn admin    manage IAM over the IAM/STS query APIs of a running node
//	cairn version  print the version
//
// The binary holds no logic of its own: the server is node.Run, the admin
// commands are thin clients of the wire APIs (internal/adminclient), so
// everything they do can also be done with the aws cli or any SDK.
package main
