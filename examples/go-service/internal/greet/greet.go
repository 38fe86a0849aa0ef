// Package greet says hello.
package greet

// Hello greets name, or a friend when name is empty.
func Hello(name string) string {
	if name == "" {
		name = "friend"
	}
	return "Hello, " + name + "!"
}
