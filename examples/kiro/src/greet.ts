// Requirements (greeting): 1.1, 1.2
export function greet(name: string): string {
  return `Hello, ${name || "friend"}!`;
}
