// Command hookd is the always-on hooks daemon for spec-driven development.
// This package only wires flags to the packages that do the work.
package main

import "os"

func main() { os.Exit(Main(os.Args[1:])) }
